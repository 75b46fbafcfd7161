package course

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
)

// File names inside an item's directory.
const (
	MetaFile = "meta.toml"
	QuizFile = "quiz.toml"
	MediaDir = "media"
)

// Limits bound what a content file may hold.
type Limits struct {
	// MaxLessonBytes is the largest lesson file accepted: a lesson is read
	// standing at a kiosk, so a long one should be split.
	MaxLessonBytes int
	// MaxMetaBytes bounds meta.toml and quiz.toml.
	MaxMetaBytes int
}

// DefaultLimits are the limits used when none are given.
var DefaultLimits = Limits{MaxLessonBytes: 12 << 10, MaxMetaBytes: 256 << 10}

// Problem is one thing wrong with a content directory, with the file (a
// path inside the checked file system) and line (0 when it is about the
// whole file) where it was found.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is every problem found; as an error it lists them one a line.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

// Err returns ps as an error, or nil if there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// metaFile is meta.toml as written.
type metaFile struct {
	ID            string   `toml:"id"`
	Kind          string   `toml:"kind"`
	Languages     []string `toml:"languages"`
	Title         Text     `toml:"title"`
	Summary       Text     `toml:"summary"`
	Audience      Text     `toml:"audience"`
	DigComp       []string `toml:"digcomp"`
	Level         int      `toml:"level"`
	SE5           []int    `toml:"se5"`
	SE6           []string `toml:"se6"`
	Minutes       int      `toml:"minutes"`
	Prerequisites []string `toml:"prerequisites"`
	Bring         []Text   `toml:"bring"`
	Steps         []Text   `toml:"steps"`
	Problems      []Text   `toml:"problems"`
}

type quizFile struct {
	Question []struct {
		Text        Text   `toml:"text"`
		Choice      []Text `toml:"choice"`
		Answer      int    `toml:"answer"`
		Explanation Text   `toml:"explanation"`
	} `toml:"question"`
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	lessonPattern = regexp.MustCompile(`^([0-9]{2}-[a-z0-9-]+)\.([a-z]{2})\.md$`)
	langPattern   = regexp.MustCompile(`^[a-z]{2}$`)
)

// checker collects problems for one item.
type checker struct {
	fsys  fs.FS
	dir   string
	lim   Limits
	probs Problems
}

func (c *checker) add(file string, line int, format string, args ...any) {
	c.probs = append(c.probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) file(name string) string { return path.Join(c.dir, name) }

// Load reads and checks the item in directory dir of fsys. It returns the
// item as far as it could be read, and every problem found; an item with
// problems must not be shown to citizens.
func Load(fsys fs.FS, dir string, lim Limits) (*Item, Problems) {
	if lim.MaxLessonBytes <= 0 {
		lim.MaxLessonBytes = DefaultLimits.MaxLessonBytes
	}
	if lim.MaxMetaBytes <= 0 {
		lim.MaxMetaBytes = DefaultLimits.MaxMetaBytes
	}
	c := &checker{fsys: fsys, dir: dir, lim: lim}
	it := c.meta()
	if it == nil {
		return nil, c.probs
	}
	c.lessons(it)
	c.quiz(it)
	switch it.Kind {
	case KindCourse:
		if len(it.Lessons) == 0 {
			c.add(c.file(MetaFile), 0, "a course needs lessons: add files such as 01-welcome.it.md")
		} else if len(it.Lessons) < 3 || len(it.Lessons) > 8 {
			c.add(c.file(MetaFile), 0, "a course has 3 to 8 lessons; this one has %d", len(it.Lessons))
		}
		if len(it.Quiz) == 0 {
			c.add(c.file(QuizFile), 0, "a course needs a short quiz: at least one question")
		}
	case KindGuide:
		if len(it.Bring) == 0 {
			c.add(c.file(MetaFile), 0, "a guide needs [[bring]]: the documents and things to bring")
		}
		if len(it.Steps) == 0 {
			c.add(c.file(MetaFile), 0, "a guide needs [[steps]]")
		}
		if len(it.Problems) == 0 {
			c.add(c.file(MetaFile), 0, "a guide needs [[problems]]: what usually goes wrong")
		}
	}
	return it, c.probs
}

func (c *checker) read(name string, max int, what string) ([]byte, bool) {
	file := c.file(name)
	f, err := c.fsys.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		c.add(file, 0, "cannot read: %v", err)
		return nil, false
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(limitReader{f, int64(max) + 1})
	if err != nil {
		c.add(file, 0, "cannot read: %v", err)
		return nil, false
	}
	if n > int64(max) {
		c.add(file, 0, what, max)
		return nil, false
	}
	return buf.Bytes(), true
}

type limitReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (l limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	return l.r.Read(p)
}

// decode decodes TOML strictly, turning a syntax error, a wrong type or an
// unknown key into a problem with its line.
func (c *checker) decode(name string, data []byte, v any) bool {
	file := c.file(name)
	if !utf8.Valid(data) {
		c.add(file, 0, "not UTF-8 text: save the file as UTF-8")
		return false
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return true
	}
	var strict *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &strict):
		for _, e := range strict.Errors {
			row, _ := e.Position()
			c.add(file, row, "unknown key %q", strings.Join(e.Key(), "."))
		}
	case errors.As(err, &de):
		row, _ := de.Position()
		msg := de.Error()
		if k := de.Key(); len(k) > 0 {
			msg = fmt.Sprintf("%s: %s", strings.Join(k, "."), msg)
		}
		c.add(file, row, "%s", msg)
	default:
		c.add(file, 0, "%v", err)
	}
	return false
}

func (c *checker) meta() *Item {
	data, ok := c.read(MetaFile, c.lim.MaxMetaBytes, "file is over the size limit of %d bytes")
	if !ok {
		if !c.exists(MetaFile) {
			c.add(c.file(MetaFile), 0, "missing: every course or guide directory needs a meta.toml")
		}
		return nil
	}
	var m metaFile
	if !c.decode(MetaFile, data, &m) {
		return nil
	}
	lines := keyLines(data)
	file := c.file(MetaFile)
	at := func(key string) int { return lineFor(lines, key) }

	it := &Item{
		ID: m.ID, Kind: Kind(m.Kind), Title: m.Title, Summary: m.Summary, Audience: m.Audience,
		DigComp: m.DigComp, Level: m.Level, SE5: m.SE5, SE6: m.SE6, Minutes: m.Minutes,
		Prerequisites: m.Prerequisites, Bring: m.Bring, Steps: m.Steps, Problems: m.Problems,
		Dir: c.dir,
	}
	switch {
	case m.ID == "":
		c.add(file, 0, "missing id")
	case !idPattern.MatchString(m.ID):
		c.add(file, at("id"), "id %q: use lower-case letters, digits and dashes", m.ID)
	case c.dir != "." && path.Base(c.dir) != m.ID:
		c.add(file, at("id"), "id %q differs from the directory name %q", m.ID, path.Base(c.dir))
	}
	if it.Kind != KindCourse && it.Kind != KindGuide {
		c.add(file, at("kind"), "kind %q: write \"course\" or \"guide\"", m.Kind)
	}

	seen := map[string]bool{}
	for _, l := range m.Languages {
		if !langPattern.MatchString(l) {
			c.add(file, at("languages"), "language %q: use a two-letter code such as \"en\"", l)
			continue
		}
		if !seen[l] {
			seen[l] = true
			if l != Source {
				it.Languages = append(it.Languages, l)
			}
		}
	}
	it.Languages = append([]string{Source}, it.Languages...)

	c.text(file, lines, "title", m.Title, it.Languages, true)
	c.text(file, lines, "summary", m.Summary, it.Languages, true)
	c.text(file, lines, "audience", m.Audience, it.Languages, false)
	for i, t := range m.Bring {
		c.text(file, lines, fmt.Sprintf("bring[%d]", i), t, it.Languages, true)
	}
	for i, t := range m.Steps {
		c.text(file, lines, fmt.Sprintf("steps[%d]", i), t, it.Languages, true)
	}
	for i, t := range m.Problems {
		c.text(file, lines, fmt.Sprintf("problems[%d]", i), t, it.Languages, true)
	}

	if len(m.DigComp) == 0 {
		c.add(file, 0, "missing digcomp: list the DigComp 2.2 competences, e.g. digcomp = [\"2.6\"]")
	}
	for _, code := range m.DigComp {
		if _, ok := digcomp[code]; !ok {
			c.add(file, at("digcomp"), "unknown DigComp 2.2 code %q (areas 1–5: 1.1–1.3, 2.1–2.6, 3.1–3.4, 4.1–4.4, 5.1–5.4)", code)
		}
	}
	if m.Level < 1 || m.Level > 8 {
		c.add(file, at("level"), "level %d: DigComp proficiency levels run from 1 to 8", m.Level)
	}
	if len(m.SE5) == 0 {
		c.add(file, 0, "missing se5: the Facilita competence codes (1–13)")
	}
	for _, v := range m.SE5 {
		if SE4(v) == "" {
			c.add(file, at("se5"), "se5 code %d: Facilita competences run from 1 to 13", v)
		}
	}
	if len(m.SE6) == 0 {
		c.add(file, 0, "missing se6: the Facilita public-service domain (A–S; S for none of these)")
	}
	for _, v := range m.SE6 {
		if !validSE6(v) {
			c.add(file, at("se6"), "se6 code %q: Facilita domains are the letters A to S", v)
		}
	}
	if m.Minutes <= 0 {
		c.add(file, at("minutes"), "minutes must be the estimated time in minutes, above 0")
	}
	for _, p := range m.Prerequisites {
		if !idPattern.MatchString(p) {
			c.add(file, at("prerequisites"), "prerequisite %q is not an item id", p)
		}
	}
	return it
}

// text checks that t has every language; required says it must exist.
func (c *checker) text(file string, lines map[string]int, key string, t Text, langs []string, required bool) {
	if len(t) == 0 {
		if required {
			c.add(file, lineFor(lines, key), "missing %s: write it as %s.it = \"…\"", key, key)
		}
		return
	}
	for _, l := range langs {
		if strings.TrimSpace(t[l]) == "" {
			c.add(file, lineFor(lines, key), "missing translation key %s.%s", key, l)
		}
	}
	for l := range t {
		if !langPattern.MatchString(l) {
			c.add(file, lineFor(lines, key+"."+l), "%s.%s: not a two-letter language code", key, l)
		}
	}
}

func (c *checker) exists(name string) bool {
	_, err := fs.Stat(c.fsys, c.file(name))
	return err == nil
}

func (c *checker) lessons(it *Item) {
	entries, err := fs.ReadDir(c.fsys, c.dir)
	if err != nil {
		c.add(c.dir, 0, "cannot list: %v", err)
		return
	}
	byName := map[string]*Lesson{}
	var order []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		m := lessonPattern.FindStringSubmatch(e.Name())
		if m == nil {
			c.add(c.file(e.Name()), 0, "lesson files are named NN-name.LANG.md, e.g. 01-welcome.it.md")
			continue
		}
		name, lang := m[1], m[2]
		if !it.HasLanguage(lang) {
			c.add(c.file(e.Name()), 0, "language %q is not listed in meta.toml languages", lang)
			continue
		}
		l := byName[name]
		if l == nil {
			l = &Lesson{Name: name, Title: Text{}, Body: Text{}}
			byName[name] = l
			order = append(order, name)
		}
		data, ok := c.read(e.Name(), c.lim.MaxLessonBytes, "lesson is over the size limit of %d bytes: split it in two")
		if !ok {
			continue
		}
		c.lesson(it, l, lang, e.Name(), data)
	}
	sort.Strings(order)
	for _, name := range order {
		l := byName[name]
		for _, lang := range it.Languages {
			if _, ok := l.Body[lang]; !ok && c.exists(name+"."+lang+".md") {
				continue // present but rejected; already reported
			} else if !ok {
				c.add(c.file(name+"."+lang+".md"), 0, "missing translation: lesson %s has no %s file", name, lang)
			}
		}
		for _, lang := range it.Languages {
			for _, ext := range []string{".ogg", ".mp3", ".wav"} {
				p := path.Join(MediaDir, name+"."+lang+ext)
				if c.exists(p) {
					if l.Audio == nil {
						l.Audio = map[string]string{}
					}
					l.Audio[lang] = p
				}
			}
		}
		it.Lessons = append(it.Lessons, *l)
	}
}

func (c *checker) lesson(it *Item, l *Lesson, lang, name string, data []byte) {
	file := c.file(name)
	if !utf8.Valid(data) {
		c.add(file, 0, "not UTF-8 text: save the file as UTF-8")
		return
	}
	text := string(data)
	title := ""
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if title == "" && strings.HasPrefix(line, "# ") {
			title = strings.TrimSpace(line[2:])
		}
		for _, link := range images(line) {
			c.image(file, i+1, link)
		}
	}
	if title == "" {
		c.add(file, 1, "a lesson starts with its title on a line \"# Title\"")
	}
	l.Title[lang] = title
	l.Body[lang] = text
}

// images returns the targets of the Markdown images ![alt](target) on line.
func images(line string) []string {
	var out []string
	for {
		i := strings.Index(line, "![")
		if i < 0 {
			return out
		}
		line = line[i+2:]
		j := strings.Index(line, "](")
		if j < 0 {
			return out
		}
		line = line[j+2:]
		k := strings.IndexByte(line, ')')
		if k < 0 {
			return out
		}
		target := strings.TrimSpace(line[:k])
		if sp := strings.IndexByte(target, ' '); sp >= 0 { // ![a](img.png "title")
			target = target[:sp]
		}
		out = append(out, target)
		line = line[k+1:]
	}
}

func (c *checker) image(file string, line int, link string) {
	switch {
	case link == "":
		c.add(file, line, "broken image link: empty target")
	case strings.Contains(link, "://"):
		c.add(file, line, "broken image link %q: the kiosk is offline; put the image in media/", link)
	case path.IsAbs(link) || strings.HasPrefix(path.Clean(link), ".."):
		c.add(file, line, "broken image link %q: images live in this item's media/ folder", link)
	case !c.exists(path.Clean(link)):
		c.add(file, line, "broken image link %q: no such file", link)
	}
}

func (c *checker) quiz(it *Item) {
	data, ok := c.read(QuizFile, c.lim.MaxMetaBytes, "file is over the size limit of %d bytes")
	if !ok {
		return
	}
	var q quizFile
	if !c.decode(QuizFile, data, &q) {
		return
	}
	lines := keyLines(data)
	file := c.file(QuizFile)
	for i, qq := range q.Question {
		key := fmt.Sprintf("question[%d]", i)
		c.text(file, lines, key+".text", qq.Text, it.Languages, true)
		c.text(file, lines, key+".explanation", qq.Explanation, it.Languages, true)
		for j, ch := range qq.Choice {
			c.text(file, lines, fmt.Sprintf("%s.choice[%d]", key, j), ch, it.Languages, true)
		}
		switch {
		case len(qq.Choice) < 2:
			c.add(file, lineFor(lines, key), "question %d needs at least two [[question.choice]]", i+1)
		case qq.Answer == 0:
			c.add(file, lineFor(lines, key), "question %d has no correct answer: add answer = N (the number of the right choice, from 1)", i+1)
		case qq.Answer < 0 || qq.Answer > len(qq.Choice):
			c.add(file, lineFor(lines, key+".answer"), "question %d: answer = %d but there are %d choices", i+1, qq.Answer, len(qq.Choice))
		}
		it.Quiz = append(it.Quiz, Question{Text: qq.Text, Choices: qq.Choice, Answer: qq.Answer - 1, Explanation: qq.Explanation})
	}
}
