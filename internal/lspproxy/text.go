package lspproxy

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// LSP positions count UTF-16 code units within a line; the go command
// and go/token count bytes. These functions convert between the two
// over the text the position refers to.

// offsetOf returns the byte offset of pos in text, clamped to the end
// of its line (and to the end of the text), as the LSP asks of a
// position past the end of a line.
func offsetOf(text []byte, pos protocol.Position) int {
	start := lineStart(text, int(pos.Line))
	if start < 0 {
		return len(text)
	}
	units := int(pos.Character)
	i := start
	for i < len(text) && units > 0 && text[i] != '\n' {
		r, size := utf8.DecodeRune(text[i:])
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1 // an invalid byte counts as one unit, as in gopls
		}
		if n > units {
			break
		}
		units -= n
		i += size
	}
	return i
}

// lineStart returns the byte offset of the start of the 0-based line,
// or -1 if the text has fewer lines.
func lineStart(text []byte, line int) int {
	off := 0
	for ; line > 0; line-- {
		i := bytes.IndexByte(text[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

// positionOf returns the LSP position of the byte offset in text.
func positionOf(text []byte, offset int) protocol.Position {
	offset = min(max(offset, 0), len(text))
	line, start := 0, 0
	for i := 0; i < offset; i++ {
		if text[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return protocol.Position{Line: uint32(line), Character: uint32(utf16Len(text[start:offset]))}
}

// utf16Len returns the length of b in UTF-16 code units.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if u := utf16.RuneLen(r); u > 0 {
			n += u
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

// replaceRange returns text with the range rng replaced by newText, as
// an incremental textDocument/didChange describes an edit.
func replaceRange(text []byte, rng protocol.Range, newText string) []byte {
	start, end := offsetOf(text, rng.Start), offsetOf(text, rng.End)
	if end < start {
		end = start
	}
	out := make([]byte, 0, len(text)-(end-start)+len(newText))
	out = append(out, text[:start]...)
	out = append(out, newText...)
	return append(out, text[end:]...)
}
