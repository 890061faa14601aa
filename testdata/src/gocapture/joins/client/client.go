// Package client is a shared client whose methods lock its mutex, seen
// from another package: gocapture does not see inside its calls.
package client

import "sync"

// A Client is safe for concurrent use.
type Client struct {
	mu sync.Mutex
	m  map[int]int
}

// New returns a client.
func New() *Client { return &Client{m: make(map[int]int)} }

// Get looks k up, holding the lock only during the call.
func (c *Client) Get(k int) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Begin locks the client until End: what the caller does in between
// is exclusive.
func (c *Client) Begin() { c.mu.Lock() }

// End unlocks the client.
func (c *Client) End() { c.mu.Unlock() }
