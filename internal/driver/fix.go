package driver

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/tools/go/analysis"
)

// An edit is a text edit resolved to byte offsets in one file.
type edit struct {
	start, end int
	text       string
}

// A fileFix is a fix's edits in one file.
type fileFix struct {
	name  string
	edits []edit
}

// applyFixes applies the first suggested fix of each finding, or with
// diffOnly prints the changes as a unified diff. A fix is taken whole
// or not at all: one whose edits overlap an edit of a fix taken before
// (other than the same edit) is refused with a message on stderr, and
// its finding remains. A file is written only if its fixed content is
// valid Go (it is gofmt-ed), and only if the packages compiled from it
// still type-check with all the fixed files (see fixChecker); nothing of
// a package that would not is written. A file is written through a
// temporary file renamed over it, so a failure never leaves it partial
// or corrupt. -diff shows exactly what -fix would write.
//
// A file that guard refuses (changed since it was parsed, or not a
// source file of the packages) is not written.
//
// It returns, for each finding, whether its fix was written (always
// false with diffOnly), and whether all went well: false on an error,
// not on a refused conflict, which a second run resolves.
func applyFixes(findings []finding, guard *fixGuard, diffOnly bool, stdout, stderr io.Writer) (fixed []bool, ok bool) {
	ok = true
	fixed = make([]bool, len(findings))
	accepted := make(map[string][]edit) // file → edits taken so far
	touches := make(map[string][]int)   // file → findings whose fix edits it
	for i, f := range findings {
		if len(f.diag.SuggestedFixes) == 0 {
			continue
		}
		fix := f.diag.SuggestedFixes[0]
		files, err := resolve(f.fset, fix)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: fix %q: %v; not applied\n", progname(), relPosition(f.posn), fix.Message, err)
			ok = false
			continue
		}
		if name, generated := guard.generated(files); generated {
			// cgo's output in the build cache, whose offsets are not the
			// user's file's: nothing is written outside the packages.
			fmt.Fprintf(stderr, "%s: %s: fix %q edits %s, which the build generated (as cgo does), not a source file; not applied\n",
				progname(), relPosition(f.posn), fix.Message, name)
			ok = false
			continue
		}
		if other, conflict := conflicts(files, accepted); conflict {
			fmt.Fprintf(stderr, "%s: %s: fix %q conflicts with another fix in %s; not applied (run -fix again)\n",
				progname(), relPosition(f.posn), fix.Message, relPath(other))
			continue
		}
		for _, ff := range files {
			accepted[ff.name] = append(accepted[ff.name], ff.edits...)
			touches[ff.name] = append(touches[ff.name], i)
		}
		fixed[i] = !diffOnly
	}
	names := make([]string, 0, len(accepted))
	for name := range accepted {
		names = append(names, name)
	}
	sort.Strings(names)
	refuse := func(name string, err error) {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		ok = false
		for _, i := range touches[name] {
			fixed[i] = false
		}
	}
	olds := make(map[string][]byte)
	contents := make(map[string][]byte) // file → its fixed content, to be written
	for _, name := range names {
		old, content, err := fixedContent(name, accepted[name], guard)
		if err != nil {
			refuse(name, err)
			continue
		}
		olds[name], contents[name] = old, content
	}
	if guard != nil && guard.typeCheck != nil {
		refused := guard.typeCheck.refusals(contents)
		for _, name := range names {
			if err := refused[name]; err != nil {
				refuse(name, err)
				delete(contents, name)
			}
		}
	}
	for _, name := range names {
		content, fixable := contents[name]
		if !fixable {
			continue
		}
		if err := writeFixed(name, olds[name], content, diffOnly, stdout); err != nil {
			refuse(name, err)
		}
	}
	return fixed, ok
}

// reportFixed prints on stderr each finding whose fix was written and
// a count of fixes and of the findings that remain, and returns those.
func reportFixed(findings []finding, fixed []bool, stderr io.Writer) []finding {
	var remain []finding
	files := make(map[string]bool)
	n := 0
	for i, f := range findings {
		if !fixed[i] {
			remain = append(remain, f)
			continue
		}
		n++
		files[f.posn.Filename] = true
		fmt.Fprintf(stderr, "%s: fixed %s: %s (%s): %s\n", progname(), relPosition(f.posn), f.diag.Message, f.analyzer.Name, f.diag.SuggestedFixes[0].Message)
	}
	fmt.Fprintf(stderr, "%s: applied %d fix(es) in %d file(s); %d finding(s) remain\n", progname(), n, len(files), len(remain))
	return remain
}

// resolve converts a fix's edits to byte offsets, grouped by file.
func resolve(fset *token.FileSet, fix analysis.SuggestedFix) ([]fileFix, error) {
	var files []fileFix
	index := make(map[string]int)
	for _, e := range fix.TextEdits {
		file := fset.File(e.Pos)
		if file == nil {
			return nil, fmt.Errorf("edit at an invalid position")
		}
		end := e.End
		if !end.IsValid() {
			end = e.Pos
		}
		if fset.File(end) != file || end < e.Pos {
			return nil, fmt.Errorf("edit spans files or ends before it starts")
		}
		name := file.Name()
		i, ok := index[name]
		if !ok {
			i = len(files)
			index[name] = i
			files = append(files, fileFix{name: name})
		}
		files[i].edits = append(files[i].edits, edit{file.Offset(e.Pos), file.Offset(end), string(e.NewText)})
	}
	return files, nil
}

// conflicts reports whether an edit of files overlaps a different
// accepted edit (identical edits, from the same fix offered twice by a
// package and its test variant, do not conflict), and the file.
func conflicts(files []fileFix, accepted map[string][]edit) (string, bool) {
	for _, ff := range files {
		for _, e := range ff.edits {
			for _, a := range accepted[ff.name] {
				if e == a {
					continue
				}
				if e.start < a.end && a.start < e.end || (e.start == e.end || a.start == a.end) && e.start == a.start {
					return ff.name, true
				}
			}
		}
	}
	return "", false
}

// fixedContent returns the file's content and its content with the
// edits applied, gofmt-ed, or why it must not be written: guard refuses
// it, or the fixed content does not parse.
func fixedContent(name string, edits []edit, guard *fixGuard) (old, fixed []byte, err error) {
	old, err = os.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	if err := guard.check(name, old); err != nil {
		return nil, nil, err
	}
	edited, err := applyEdits(old, edits)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", relPath(name), err)
	}
	fixed, err = format.Source(edited)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: the fixed file would not parse (%v); not written", relPath(name), err)
	}
	return old, fixed, nil
}

// writeFixed writes the fixed content of the file, or prints the diff
// from old.
func writeFixed(name string, old, fixed []byte, diffOnly bool, stdout io.Writer) error {
	if diffOnly {
		_, err := io.WriteString(stdout, unifiedDiff(relPath(name), old, fixed))
		return err
	}
	if bytes.Equal(old, fixed) {
		return nil
	}
	return writeFileAtomic(name, fixed)
}

// applyEdits applies non-overlapping edits, deduplicated, to src.
func applyEdits(src []byte, edits []edit) ([]byte, error) {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end < edits[j].end
	})
	var out bytes.Buffer
	last := 0
	for i, e := range edits {
		if i > 0 && e == edits[i-1] {
			continue
		}
		if e.start < last || e.end > len(src) {
			return nil, fmt.Errorf("edits overlap or run past the end of the file (was it changed during the run?)")
		}
		out.Write(src[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(src[last:])
	return out.Bytes(), nil
}

// writeFileAtomic replaces the file's content by writing a temporary
// file in the same directory and renaming it over the original, with
// the original's permissions and owner: a reader sees the old or the
// new file, never a partial one. A symbolic link is written through (its
// target is replaced, the link kept). A file with other hard links is
// rewritten in place, which keeps the links but is not atomic. A file
// without write permission is refused, as gofmt -w refuses it, and so is
// one whose owner the rename could not keep.
func writeFileAtomic(name string, content []byte) error {
	target, err := filepath.EvalSymlinks(name)
	if err != nil {
		return err
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only; not written", relPath(name))
	}
	if links(info) > 1 {
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		if _, err := f.Write(content); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".sharedvet-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), info.Mode().Perm()); err != nil {
		return err
	}
	if err := keepOwner(tmp.Name(), info); err != nil {
		return fmt.Errorf("%s: cannot keep its owner (%v); not written", relPath(name), err)
	}
	return os.Rename(tmp.Name(), target)
}
