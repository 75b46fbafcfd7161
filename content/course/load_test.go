package course

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadGoodExample(t *testing.T) {
	items, probs := LoadAll(os.DirFS("testdata/good"), Limits{})
	if len(probs) > 0 {
		t.Fatalf("the documented example has problems:\n%v", probs)
	}
	if len(items) != 1 {
		t.Fatalf("got %d items, want 1", len(items))
	}
	it := items[0]
	if it.ID != "esempio" || it.Kind != KindCourse || it.Level != 1 {
		t.Errorf("item = %s %s level %d", it.ID, it.Kind, it.Level)
	}
	if got, fb := it.Title.Get("en"); got != "Sending a message" || fb {
		t.Errorf("English title = %q (fallback %v)", got, fb)
	}
	if got, fb := it.Title.Get("uk"); got != "Mandare un messaggio" || !fb {
		t.Errorf("Ukrainian title falls back to Italian: got %q (fallback %v)", got, fb)
	}
	if len(it.Lessons) != 3 || it.Lessons[0].Name != "01-aprire" || it.Lessons[2].Name != "03-inviare" {
		t.Fatalf("lessons out of reading order: %+v", it.Lessons)
	}
	if it.Lessons[1].Title["en"] != "Writing the text" {
		t.Errorf("lesson title from the heading = %q", it.Lessons[1].Title["en"])
	}
	if len(it.Quiz) != 1 || it.Quiz[0].Answer != 1 || it.Quiz[0].Choices[1]["it"] != "La freccia" {
		t.Errorf("quiz = %+v", it.Quiz)
	}
	if got := it.SE4(); len(got) != 1 || got[0] != "B" {
		t.Errorf("SE4 from SE5 4 = %v, want [B]", got)
	}
}

// TestBrokenExamples is what `officina content check` prints for the
// broken examples: each problem with its file and line.
func TestBrokenExamples(t *testing.T) {
	_, probs := LoadAll(os.DirFS("testdata/broken"), Limits{})
	got := probs.Error()
	want := []string{
		"digcomp-sconosciuto/meta.toml:5: unknown DigComp 2.2 code \"2.7\"",
		"immagine-rotta/01-aprire.en.md:5: broken image link \"media/manca.png\": no such file",
		"lezione-lunga/02-scrivere.it.md: lesson is over the size limit of 12288 bytes: split it in two",
		"quiz-senza-risposta/quiz.toml:1: question 1 has no correct answer",
		"traduzione-mancante/meta.toml:12: missing translation key title.en",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q in:\n%s", w, got)
		}
	}
	if len(probs) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(probs), len(want), got)
	}
}

func example(t testing.TB) fstest.MapFS {
	fsys := fstest.MapFS{}
	root := os.DirFS("testdata/good/esempio")
	for _, name := range []string{"meta.toml", "quiz.toml", "01-aprire.it.md", "01-aprire.en.md", "02-scrivere.it.md", "02-scrivere.en.md", "03-inviare.it.md", "03-inviare.en.md", "media/fumetto.png"} {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			t.Fatal(err)
		}
		fsys["esempio/"+name] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func TestProblemsOneByOne(t *testing.T) {
	cases := []struct {
		name, file, from, to, want string
	}{
		{"bad toml", "meta.toml", `kind = "course"`, `kind = "course`, "esempio/meta.toml:3:"},
		{"unknown key", "meta.toml", `minutes = 10`, "minutes = 10\nminuti = 3", "esempio/meta.toml:10: unknown key \"minuti\""},
		{"wrong type", "meta.toml", `level = 1`, `level = "uno"`, "esempio/meta.toml:6:"},
		{"bad kind", "meta.toml", `kind = "course"`, `kind = "corso"`, "esempio/meta.toml:3: kind \"corso\""},
		{"level", "meta.toml", `level = 1`, `level = 9`, "esempio/meta.toml:6: level 9"},
		{"se5", "meta.toml", `se5 = [4]`, `se5 = [14]`, "esempio/meta.toml:7: se5 code 14"},
		{"se6", "meta.toml", `se6 = ["S"]`, `se6 = ["Z"]`, "esempio/meta.toml:8: se6 code \"Z\""},
		{"id", "meta.toml", `id = "esempio"`, `id = "altro"`, "differs from the directory name"},
		{"answer out of range", "quiz.toml", `answer = 2`, `answer = 5`, "esempio/quiz.toml:2: question 1: answer = 5 but there are 2 choices"},
		{"choice untranslated", "quiz.toml", `en = "The arrow"`, ``, "esempio/quiz.toml:12: missing translation key question[0].choice[1].en"},
		{"remote image", "01-aprire.it.md", `media/fumetto.png`, `https://example.org/x.png`, "01-aprire.it.md:5: broken image link \"https://example.org/x.png\": the kiosk is offline"},
		{"escaping image", "01-aprire.it.md", `media/fumetto.png`, `../../etc/passwd`, "01-aprire.it.md:5: broken image link"},
		{"no heading", "02-scrivere.en.md", `# Writing the text`, `Writing the text`, "esempio/02-scrivere.en.md:1: a lesson starts with its title"},
		{"not utf8", "03-inviare.it.md", `è`, "\xe8", "esempio/03-inviare.it.md: not UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := example(t)
			f := fsys["esempio/"+tc.file]
			s := string(f.Data)
			if !strings.Contains(s, tc.from) {
				t.Fatalf("%s does not contain %q", tc.file, tc.from)
			}
			f.Data = []byte(strings.Replace(s, tc.from, tc.to, 1))
			_, probs := LoadAll(fsys, Limits{})
			if !strings.Contains(probs.Error(), tc.want) {
				t.Errorf("want a problem containing %q, got:\n%v", tc.want, probs)
			}
		})
	}
}

func TestMissingLessonTranslation(t *testing.T) {
	fsys := example(t)
	delete(fsys, "esempio/02-scrivere.en.md")
	_, probs := LoadAll(fsys, Limits{})
	if !strings.Contains(probs.Error(), "esempio/02-scrivere.en.md: missing translation: lesson 02-scrivere has no en file") {
		t.Errorf("got %v", probs)
	}
}

func TestDuplicateIDAndMissingPrerequisite(t *testing.T) {
	fsys := example(t)
	m := fsys["esempio/meta.toml"]
	m.Data = []byte(strings.Replace(string(m.Data), "prerequisites = []", `prerequisites = ["smartphone"]`, 1))
	_, probs := LoadAll(fsys, Limits{})
	if !strings.Contains(probs.Error(), "prerequisite smartphone is not in the catalogue") {
		t.Errorf("got %v", probs)
	}
}

// FuzzLoad feeds arbitrary meta.toml, quiz.toml and lesson bytes to the
// loader: whatever the input, it must return problems, never panic, and
// never return an item without reporting why when its fields are invalid.
func FuzzLoad(f *testing.F) {
	base := example(f)
	f.Add(base["esempio/meta.toml"].Data, base["esempio/quiz.toml"].Data, base["esempio/01-aprire.it.md"].Data)
	f.Add([]byte("id = 1\n[[title]]\n"), []byte("[[question]]\n[[question.choice]]\n[question]\n"), []byte("![x]("))
	f.Add([]byte("[a.b.c]\n[[a.b]]\n"), []byte("question = 3"), []byte("# t\n![](media/)\n"))
	f.Fuzz(func(t *testing.T, meta, quiz, lesson []byte) {
		fsys := example(t)
		fsys["esempio/meta.toml"].Data = meta
		fsys["esempio/quiz.toml"].Data = quiz
		fsys["esempio/01-aprire.it.md"].Data = lesson
		items, probs := LoadAll(fsys, Limits{})
		for _, it := range items {
			if len(probs) == 0 && (it.Level < 1 || it.Level > 8 || len(it.DigComp) == 0 || it.Title[Source] == "") {
				t.Fatalf("invalid item accepted without a problem: %+v", it)
			}
		}
		for _, p := range probs {
			if p.File == "" || p.Msg == "" {
				t.Fatalf("problem without a file or message: %+v", p)
			}
		}
	})
}
