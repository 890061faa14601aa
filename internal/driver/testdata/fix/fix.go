package fix

func counts(xs []int) (n, m int) {
	for range xs {
		n = n + 1
		m = m + 1
	}
	n = n + 1 // keep
	return n, m
}
