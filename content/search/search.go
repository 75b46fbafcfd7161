// Package search is full-text search over the catalogue with SQLite FTS5,
// held in memory and rebuilt whenever a catalogue is loaded.
//
// Matching ignores case and accents ("identita" finds "identità"), and
// each word of the query is reduced to a simple stem and matched as a
// prefix ("truffe" finds "truffa", "prenotazione" finds "prenotare"), so
// citizens who type the way they speak still find things. Titles weigh
// more than summaries, summaries more than lesson text (BM25 ranking).
package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Doc is one searchable unit: an item's card (title, summary and, for a
// guide, its steps) or one lesson, in one language.
type Doc struct {
	ItemID  string
	Lesson  string // lesson name, "" for the item itself
	Lang    string
	Kind    string
	Title   string
	Summary string
	Body    string
	Level   int
	Areas   []int    // DigComp areas 1–5
	Domains []string // Facilita SE6 codes
}

// Query is a search. Zero filters match everything.
type Query struct {
	Text   string
	Lang   string
	Area   int    // DigComp area 1–5
	Level  int    // DigComp proficiency level 1–8
	Domain string // SE6 code, e.g. "B" for pagoPA
	Kind   string // "course" or "guide"
	Limit  int    // 20 if 0
}

// Hit is one result, best first.
type Hit struct {
	ItemID  string
	Lesson  string // "" when the match is the item's own card
	Title   string
	Snippet string // a short extract around the match
	Score   float64
}

// Index is an in-memory FTS5 index. It is safe for concurrent use.
type Index struct {
	db    *sql.DB
	langs map[string]bool
}

const schema = `
CREATE TABLE docs (
	id      INTEGER PRIMARY KEY,
	item    TEXT NOT NULL,
	lesson  TEXT NOT NULL,
	lang    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	level   INTEGER NOT NULL,
	areas   TEXT NOT NULL,   -- ",1,4,"
	domains TEXT NOT NULL,   -- ",A,B,"
	title   TEXT NOT NULL,
	summary TEXT NOT NULL,
	body    TEXT NOT NULL
);
CREATE INDEX docs_lang ON docs(lang);
CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, content='docs', content_rowid='id',
	tokenize = 'unicode61 remove_diacritics 2');
`

// New builds an index over docs.
func New(ctx context.Context, docs []Doc) (*Index, error) {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	db.SetMaxOpenConns(1) // one in-memory database lives in one connection
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	ix := &Index{db: db, langs: map[string]bool{}}
	if err := ix.load(ctx, docs); err != nil {
		db.Close()
		return nil, err
	}
	return ix, nil
}

func (ix *Index) load(ctx context.Context, docs []Doc) error {
	if _, err := ix.db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("search: create index: %w", err)
	}
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	insDoc, err := tx.PrepareContext(ctx, `INSERT INTO docs(id, item, lesson, lang, kind, level, areas, domains, title, summary, body) VALUES(?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	insFTS, err := tx.PrepareContext(ctx, `INSERT INTO fts(rowid, title, summary, body) VALUES(?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	for i, d := range docs {
		id := i + 1
		areas := make([]string, len(d.Areas))
		for j, a := range d.Areas {
			areas[j] = strconv.Itoa(a)
		}
		if _, err := insDoc.ExecContext(ctx, id, d.ItemID, d.Lesson, d.Lang, d.Kind, d.Level,
			","+strings.Join(areas, ",")+",", ","+strings.Join(d.Domains, ",")+",", d.Title, d.Summary, d.Body); err != nil {
			return fmt.Errorf("search: index %s: %w", d.ItemID, err)
		}
		if _, err := insFTS.ExecContext(ctx, id, d.Title, d.Summary, d.Body); err != nil {
			return fmt.Errorf("search: index %s: %w", d.ItemID, err)
		}
		ix.langs[d.Lang] = true
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// Close frees the index.
func (ix *Index) Close() error { return ix.db.Close() }

// Search returns the best matches for q, ranked. An empty text lists
// nothing; a language the index does not hold searches Italian.
func (ix *Index) Search(ctx context.Context, q Query) ([]Hit, error) {
	lang := q.Lang
	if !ix.langs[lang] {
		lang = "it"
	}
	terms := Terms(q.Text, lang)
	if len(terms) == 0 {
		return nil, nil
	}
	stems := make([]string, len(terms))
	for i, t := range terms {
		stems[i] = strings.TrimSuffix(strings.Trim(t, `"*`), `"`)
	}
	hits, err := ix.run(ctx, q, lang, strings.Join(terms, " "), stems)
	if err != nil || len(hits) > 0 || len(terms) == 1 {
		return hits, err
	}
	// No result has every word: rank those that have some.
	return ix.run(ctx, q, lang, strings.Join(terms, " OR "), stems)
}

func (ix *Index) run(ctx context.Context, q Query, lang, match string, stems []string) ([]Hit, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	var sb strings.Builder
	// Rank on the index alone; read the text of the few best rows only.
	sb.WriteString(`SELECT d.item, d.lesson, d.title, d.body, s.score FROM (
SELECT fts.rowid AS id, bm25(fts, 10.0, 5.0, 1.0) AS score
FROM fts JOIN docs d ON d.id = fts.rowid
WHERE fts MATCH ? AND d.lang = ?`)
	args := []any{match, lang}
	if q.Area != 0 {
		sb.WriteString(` AND d.areas LIKE ?`)
		args = append(args, "%,"+strconv.Itoa(q.Area)+",%")
	}
	if q.Level != 0 {
		sb.WriteString(` AND d.level = ?`)
		args = append(args, q.Level)
	}
	if q.Domain != "" {
		sb.WriteString(` AND d.domains LIKE ?`)
		args = append(args, "%,"+q.Domain+",%")
	}
	if q.Kind != "" {
		sb.WriteString(` AND d.kind = ?`)
		args = append(args, q.Kind)
	}
	sb.WriteString(` ORDER BY score LIMIT ?) s JOIN docs d ON d.id = s.id ORDER BY s.score`)
	args = append(args, limit)
	rows, err := ix.db.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		var body string
		if err := rows.Scan(&h.ItemID, &h.Lesson, &h.Title, &body, &h.Score); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		h.Snippet = snippet(body, stems)
		h.Score = -h.Score // bm25 is lower-is-better
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// Terms turns what a person typed into FTS5 query terms: every word,
// folded and stemmed, as a quoted prefix term. Quoting means nothing typed
// is read as FTS5 syntax.
func Terms(text, lang string) []string {
	var terms []string
	for _, w := range words(text) {
		s := Stem(w, lang)
		if s == "" {
			continue
		}
		terms = append(terms, `"`+s+`"*`)
	}
	return terms
}

// words splits text into lower-case words without accents.
func words(text string) []string {
	folded := Fold(text)
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Fold lower-cases s and removes the accents of Latin letters:
// "Identità" → "identita". (FTS5's unicode61 tokenizer folds the indexed
// text the same way; this lets the stemmer see plain letters.)
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if r >= 0xe0 && r <= 0x17f {
			if f, ok := latin[r]; ok {
				r = f
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

var latin = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ď", 'e': "èéêëēĕėęě", 'g': "ĝğġģ",
		'i': "ìíîïĩīĭįı", 'n': "ñńņň", 'o': "òóôõöøōŏő", 'r': "ŕŗř", 's': "śŝşš",
		't': "ţť", 'u': "ùúûüũūŭůűų", 'y': "ýÿ", 'z': "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

var suffixes = map[string][]string{
	// Longest first. A light stemmer: enough for plurals, gender and the
	// common verb and noun endings, never so much that words collide.
	"it": {"azione", "azioni", "amento", "amenti", "mente", "are", "ere", "ire", "ato", "ata", "ati", "ate", "ito", "ita", "iti", "ite", "a", "e", "i", "o"},
	"en": {"ing", "ies", "ed", "es", "s"},
}

// Stem reduces a folded word to a prefix to search for. Short words are
// kept whole.
func Stem(w, lang string) string {
	if len([]rune(w)) < 3 {
		return ""
	}
	for _, suf := range suffixes[lang] {
		if strings.HasSuffix(w, suf) && len([]rune(w))-len([]rune(suf)) >= 4 {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// snippet returns about 120 characters of body around the first word that
// starts with one of the stems, at word boundaries, or the start of body.
func snippet(body string, stems []string) string {
	text := []rune(strings.Join(strings.Fields(stripMarkdown(body)), " "))
	folded := []rune(Fold(string(text))) // Fold maps rune to rune: offsets agree
	at := -1
	for i := 0; i < len(folded) && at < 0; i++ {
		if i > 0 && (unicode.IsLetter(folded[i-1]) || unicode.IsDigit(folded[i-1])) {
			continue
		}
		for _, s := range stems {
			if strings.HasPrefix(string(folded[i:min(len(folded), i+len([]rune(s)))]), s) {
				at = i
				break
			}
		}
	}
	const width = 120
	start := 0
	if at > width/3 {
		start = at - width/3
		for start < at && text[start] != ' ' {
			start++
		}
	}
	end := min(len(text), start+width)
	for end < len(text) && end > start && text[end-1] != ' ' {
		end--
	}
	out := strings.TrimSpace(string(text[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(text) {
		out += "…"
	}
	return out
}

// stripMarkdown drops the Markdown marks a snippet should not show.
func stripMarkdown(s string) string {
	return strings.NewReplacer("**", "", "*", "", "# ", "", "#", "", "![", "", "](", " (", "`", "").Replace(s)
}
