// Package testjoinstray calls t.Parallel in a helper, which may make
// any of its tests parallel, so rule 18 holds for none of them.
package testjoinstray
