package fix

func untouched() int { return 1 }
