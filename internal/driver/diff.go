package driver

import (
	"fmt"
	"strings"
)

// unifiedDiff returns the unified diff (3 lines of context) that turns
// old into new, with name in its headers, or "" if they are equal.
// Fixes change a few lines, so it trims the common prefix and suffix
// and compares the rest by longest common subsequence.
func unifiedDiff(name string, old, new []byte) string {
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := diffLines(a, b)
	hunks := group(ops, 3)
	if len(hunks) == 0 {
		return ""
	}
	var sb strings.Builder
	q := quoteName(name)
	fmt.Fprintf(&sb, "--- %s\n+++ %s (fixed)\n", q, q)
	for _, h := range hunks {
		sb.WriteString(h)
	}
	return sb.String()
}

// quoteName quotes a file name for a diff header as git does (with
// core.quotePath, its default): in double quotes with C escapes and
// octal bytes if it holds a space, a quote, a backslash, a control
// character or a non-ASCII byte, else as it is. patch reads an unquoted
// name only up to the first space.
func quoteName(name string) string {
	plain := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == '"' || c == '\\' || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&sb, "\\%03o", c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// A diffOp is one line of a diff: ' ', '-' or '+', with the line
// numbers (0-based) it has in the old and new text.
type diffOp struct {
	kind       byte
	line       string
	aIdx, bIdx int
}

// diffLines returns the line operations turning a into b.
func diffLines(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[i][j] is the length of the LCS of am[i:] and bm[j:].
	lcs := make([][]int, len(am)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(bm)+1)
	}
	for i := len(am) - 1; i >= 0; i-- {
		for j := len(bm) - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	i, j := 0, 0
	for i < len(am) || j < len(bm) {
		switch {
		case i < len(am) && j < len(bm) && am[i] == bm[j]:
			ops = append(ops, diffOp{' ', am[i], pre + i, pre + j})
			i, j = i+1, j+1
		case i < len(am) && (j == len(bm) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', am[i], pre + i, pre + j})
			i++
		default:
			ops = append(ops, diffOp{'+', bm[j], pre + i, pre + j})
			j++
		}
	}
	for k := 0; k < suf; k++ {
		ops = append(ops, diffOp{' ', a[len(a)-suf+k], len(a) - suf + k, len(b) - suf + k})
	}
	return ops
}

// group formats the changes of ops as hunks with ctx lines of context.
func group(ops []diffOp, ctx int) []string {
	var hunks []string
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		// Extend while the next change is within 2*ctx lines.
		for k := i; k < len(ops); k++ {
			if ops[k].kind != ' ' {
				end = k + 1
			} else if k-end >= 2*ctx {
				break
			}
		}
		stop := min(end+ctx, len(ops))
		hunks = append(hunks, hunk(ops[start:stop]))
		i = stop
	}
	return hunks
}

// hunk formats one hunk.
func hunk(ops []diffOp) string {
	var body strings.Builder
	aStart, bStart, aLen, bLen := ops[0].aIdx, ops[0].bIdx, 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			aLen++
		}
		if op.kind != '-' {
			bLen++
		}
		body.WriteByte(op.kind)
		body.WriteString(op.line)
		if !strings.HasSuffix(op.line, "\n") {
			body.WriteString("\n\\ No newline at end of file\n")
		}
	}
	return fmt.Sprintf("@@ -%s +%s @@\n%s", hunkRange(aStart, aLen), hunkRange(bStart, bLen), body.String())
}

// hunkRange formats a range as unified diffs do: 1-based start, and
// for an empty range the line before it.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
