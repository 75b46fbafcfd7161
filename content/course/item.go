package course

// Kind says whether an item is a course (lessons and a quiz, taken at the
// citizen's pace) or an e-service guide (what to bring, steps, what goes
// wrong, used with a facilitator).
type Kind string

// The kinds of item.
const (
	KindCourse Kind = "course"
	KindGuide  Kind = "guide"
)

// Item is one course or guide, loaded and checked.
type Item struct {
	ID        string
	Kind      Kind
	Languages []string // always starts with "it"
	Title     Text
	Summary   Text
	Audience  Text
	// DigComp 2.2 competence codes ("2.6") and the proficiency level (1–8).
	DigComp []string
	Level   int
	// Facilita monitoring codes: SE5 competences (1–13) and SE6
	// public-service domains ("A"–"S").
	SE5           []int
	SE6           []string
	Minutes       int
	Prerequisites []string // ids of other items

	Lessons []Lesson
	Quiz    []Question

	// Guides only.
	Bring    []Text // documents and things to bring
	Steps    []Text
	Problems []Text // what usually goes wrong, and what to do

	// Dir is the item's directory inside the catalogue's file system; media
	// paths are relative to it.
	Dir string
}

// Lesson is one Markdown page of a course, in reading order.
type Lesson struct {
	Name  string            // file stem without language, e.g. "01-cose-spid"
	Title Text              // the first "# " heading of each translation
	Body  Text              // Markdown
	Audio map[string]string // language → media path of the read-aloud recording
}

// Question is one quiz question. Answer is the index (from 0) of the
// correct choice; quiz.toml writes it from 1, as a person counts.
type Question struct {
	Text        Text
	Choices     []Text
	Answer      int
	Explanation Text
}

// TitleIn returns the item's title in lang and whether Italian was used
// instead.
func (it *Item) TitleIn(lang string) (string, bool) { return it.Title.Get(lang) }

// HasLanguage reports whether the item is fully translated into lang.
func (it *Item) HasLanguage(lang string) bool {
	for _, l := range it.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// SE4 returns the Facilita competence areas (A–E) that follow from the
// item's SE5 codes, without repeats, in order.
func (it *Item) SE4() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range it.SE5 {
		a := SE4(c)
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// DigCompAreas returns the DigComp areas (1–5) of the item's competences.
func (it *Item) DigCompAreas() []int {
	var out []int
	seen := map[int]bool{}
	for _, c := range it.DigComp {
		a := DigCompArea(c)
		if a != 0 && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
