module example.com/excused

go 1.22
