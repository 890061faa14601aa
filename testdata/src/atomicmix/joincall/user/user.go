// Package user counts lib's callbacks in its tests.
package user
