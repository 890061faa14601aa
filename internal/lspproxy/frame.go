package lspproxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

// maxFrame bounds the body of one message, so a corrupt header cannot
// make the proxy allocate without limit. gopls's largest answers
// (workspace symbols, semantic tokens of a big file) are a few MB.
const maxFrame = 256 << 20

// errBadHeader reports a frame whose header cannot be parsed: the
// stream cannot be resynchronized after it.
var errBadHeader = errors.New("malformed LSP header")

// readFrame reads one message of the LSP base protocol (a header with
// Content-Length, a blank line, then the body) and returns its body as
// sent. The proxy frames messages itself, rather than through
// go.lsp.dev/jsonrpc2's Stream, because a Stream decodes and re-encodes
// every message, and messages the proxy does not change must reach the
// other side byte for byte.
func readFrame(r *bufio.Reader) ([]byte, error) {
	tp := textproto.NewReader(r)
	length := -1
	for {
		line, err := tp.ReadLine()
		if err != nil {
			if err == io.EOF && length < 0 {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%w: %v", errBadHeader, err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%w: %q", errBadHeader, line)
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 || n > maxFrame {
				return nil, fmt.Errorf("%w: Content-Length %q", errBadHeader, value)
			}
			length = n
		}
	}
	if length < 0 {
		return nil, fmt.Errorf("%w: no Content-Length", errBadHeader)
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// A frameWriter writes whole messages to one side, one at a time.
type frameWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// write frames body and writes it in one piece.
func (fw *frameWriter) write(body []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	msg := make([]byte, 0, len(body)+32)
	msg = fmt.Appendf(msg, "Content-Length: %d\r\n\r\n", len(body))
	msg = append(msg, body...)
	_, err := fw.w.Write(msg)
	return err
}
