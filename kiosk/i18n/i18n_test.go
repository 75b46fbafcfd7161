package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// usedIDs reads the Go source of the UI and the kiosk command and returns
// every message ID passed as a literal to T, Tf, N or ID. A call whose ID
// is built at run time (a concatenation) is reported, because no test
// could check it.
func usedIDs(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	ids := map[string]string{}
	fset := token.NewFileSet()
	dirs := []string{filepath.Join(root, "kiosk", "ui"), filepath.Join(root, "cmd", "officina")}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				switch name {
				case "T", "Tf", "N", "ID":
				default:
					return true
				}
				switch arg := call.Args[0].(type) {
				case *ast.BasicLit:
					if arg.Kind == token.STRING {
						id, _ := strconv.Unquote(arg.Value)
						ids[id] = fset.Position(arg.Pos()).String()
					}
				case *ast.BinaryExpr:
					t.Errorf("%s: message ID built at run time; use a literal or i18n.ID(\"…\")", fset.Position(arg.Pos()))
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(ids) < 50 {
		t.Fatalf("found only %d message IDs in the source: is the scanner broken?", len(ids))
	}
	return ids
}

func TestEveryLocaleHasEveryMessageUsedInCode(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	used := usedIDs(t)
	for _, l := range Locales() {
		have := c.IDs(l.Tag)
		var missing []string
		for id, where := range used {
			if !have[id] {
				missing = append(missing, id+" (used at "+where+")")
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("locale %s lacks %d messages:\n  %s", l.Tag, len(missing), strings.Join(missing, "\n  "))
		}
	}
}

func TestNoUnusedMessages(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	used := usedIDs(t)
	for _, l := range Locales() {
		var extra []string
		for id := range c.IDs(l.Tag) {
			if _, ok := used[id]; !ok {
				extra = append(extra, id)
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			t.Errorf("locale %s has messages no code uses (remove them or the code lost a string): %v", l.Tag, extra)
		}
	}
}

// pluralForms are the CLDR cardinal categories each language needs.
var pluralForms = map[string][]string{
	"it": {"one", "many", "other"},
	"en": {"one", "other"},
	"ro": {"one", "few", "other"},
	"uk": {"one", "few", "many", "other"},
	"sq": {"one", "other"},
}

func TestPluralMessagesHaveEveryFormOfTheirLanguage(t *testing.T) {
	raw := map[string]map[string]any{}
	for _, l := range Locales() {
		b, err := os.ReadFile(filepath.Join("locales", "active."+l.Tag+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		raw[l.Tag] = parseTables(t, string(b))
	}
	for id := range raw[Source] {
		for _, l := range Locales() {
			forms, ok := raw[l.Tag][id].(map[string]bool)
			if !ok {
				t.Errorf("%s: %s is plural in Italian but not in %s", id, id, l.Tag)
				continue
			}
			for _, f := range pluralForms[l.Tag] {
				if !forms[f] {
					t.Errorf("%s %s: missing plural form %q", l.Tag, id, f)
				}
			}
		}
	}
}

// parseTables returns the plural tables of a catalogue: [id] followed by
// form = "…" lines.
func parseTables(t *testing.T, s string) map[string]any {
	out := map[string]any{}
	var cur map[string]bool
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "["):
			id, err := strconv.Unquote(strings.Trim(line, "[]"))
			if err != nil {
				t.Fatalf("table header %q: %v", line, err)
			}
			cur = map[string]bool{}
			out[id] = cur
		case cur != nil && strings.Contains(line, "="):
			k, _, _ := strings.Cut(line, "=")
			cur[strings.TrimSpace(k)] = true
		}
	}
	return out
}

func TestItalianPluralsIncludeMany(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	it := c.Translator("it")
	for n, want := range map[int]string{1: "1 lezione", 3: "3 lezioni", 0: "0 lezioni", 1000000: "1000000 di lezioni"} {
		if got := it.N("courses.lessons", n); got != want {
			t.Errorf("it %d: %q, want %q", n, got, want)
		}
	}
	uk := c.Translator("uk")
	for n, want := range map[int]string{1: "1 урок", 3: "3 уроки", 5: "5 уроків", 21: "21 урок", 11: "11 уроків"} {
		if got := uk.N("courses.lessons", n); got != want {
			t.Errorf("uk %d: %q, want %q", n, got, want)
		}
	}
	ro := c.Translator("ro")
	if got := ro.N("courses.lessons", 20); got != "20 de lecții" {
		t.Errorf("ro 20: %q", got)
	}
}

func TestTemplatesAndFallback(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en := c.Translator("en")
	if got := en.Tf("lesson.position", "N", 2, "Total", 5); got != "Lesson 2 of 5" {
		t.Errorf("%q", got)
	}
	if got := c.Translator("xx").Lang(); got != "it" {
		t.Errorf("unsupported language: %q, want it", got)
	}
	if got := en.T("no.such.message"); got != "[no.such.message]" {
		t.Errorf("missing message: %q", got)
	}
}

func TestLoadRejectsABrokenCatalogue(t *testing.T) {
	fsys := os.DirFS(t.TempDir())
	if _, err := LoadFS(fsys, "."); err == nil {
		t.Fatal("no error for missing catalogues")
	}
	dir := t.TempDir()
	for _, l := range Locales() {
		os.WriteFile(filepath.Join(dir, "active."+l.Tag+".toml"), []byte("x = \"ok\"\n"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "active.uk.toml"), []byte("x = \"unterminated\n"), 0o644)
	_, err := LoadFS(os.DirFS(dir), ".")
	if err == nil || !strings.Contains(err.Error(), "active.uk.toml") {
		t.Fatalf("broken uk catalogue: %v", err)
	}
}
