package course

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key path in a TOML document to the line it is written
// on: "title.en" → 4, "question[1].choice[0].it" → 17. Array-of-tables
// entries are numbered from 0 in document order. It is used only to put a
// line number on a validation problem, so a document it cannot parse
// simply yields fewer entries.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	counts := map[string]int{} // array-of-tables path → entries seen
	var p unstable.Parser
	p.Reset(data)
	prefix := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts := keyParts(e)
			path := ""
			for i, part := range parts {
				path = join(path, part)
				last := i == len(parts)-1
				if last && e.Kind == unstable.ArrayTable {
					n := counts[path]
					counts[path] = n + 1
					lines[path] = lineOf(&p, e)
					path += "[" + strconv.Itoa(n) + "]"
				} else if n, ok := counts[path]; ok {
					path += "[" + strconv.Itoa(n-1) + "]"
				}
			}
			prefix = path
			lines[path] = lineOf(&p, e)
		case unstable.KeyValue:
			path := prefix
			for _, part := range keyParts(e) {
				path = join(path, part)
			}
			lines[path] = lineOf(&p, e)
		}
	}
	return lines
}

func keyParts(e *unstable.Node) []string {
	var parts []string
	it := e.Key()
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func join(prefix, part string) string {
	if prefix == "" {
		return part
	}
	return prefix + "." + part
}

// lineOf returns the line of the node's first key, or 0 if the parser kept
// no position for it.
func lineOf(p *unstable.Parser, e *unstable.Node) int {
	it := e.Key()
	if it.Next() {
		if r := it.Node().Raw; r.Length > 0 {
			return p.Shape(r).Start.Line
		}
	}
	if r := e.Raw; r.Length > 0 {
		return p.Shape(r).Start.Line
	}
	return 0
}

// lineFor returns the line of path, or of its nearest parent that has one.
func lineFor(lines map[string]int, path string) int {
	for path != "" {
		if l, ok := lines[path]; ok && l > 0 {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}
