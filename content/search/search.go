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
	"sync"
	"unicode"
	"unicode/utf8"

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

	mu    sync.Mutex
	stmts map[string]*sql.Stmt // one per shape of query (which filters are set)
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
CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, content='docs', content_rowid='id', prefix='3 4 5 6 7 8',
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
	ix := &Index{db: db, langs: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
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

// stmt returns the prepared statement for query, preparing it once.
func (ix *Index) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if st, ok := ix.stmts[query]; ok {
		return st, nil
	}
	st, err := ix.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ix.stmts[query] = st
	return st, nil
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
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	hits, err := ix.tiers(ctx, q, lang, strings.Join(terms, " "), stems, limit)
	if err != nil || len(hits) > 0 || len(terms) == 1 {
		return hits, err
	}
	// No result has every word: rank those that have some.
	return ix.tiers(ctx, q, lang, strings.Join(terms, " OR "), stems, limit)
}

// maxRanked bounds how many candidates of one tier are ranked. BM25 costs
// a few microseconds a row; a word found in a fifth of 10,000 lessons
// would otherwise cost tens of milliseconds on a Pi.
const maxRanked = 300

// tiers ranks matches in titles and summaries first, then matches in the
// lesson text only, each tier by BM25 over at most maxRanked candidates.
func (ix *Index) tiers(ctx context.Context, q Query, lang, expr string, stems []string, limit int) ([]Hit, error) {
	hits, err := ix.run(ctx, q, lang, "{title summary} : ("+expr+")", stems, limit)
	if err != nil || len(hits) >= limit {
		return hits, err
	}
	more, err := ix.run(ctx, q, lang, expr, stems, limit+len(hits))
	if err != nil {
		return nil, err
	}
	seen := map[[2]string]bool{}
	for _, h := range hits {
		seen[[2]string{h.ItemID, h.Lesson}] = true
	}
	for _, h := range more {
		if len(hits) == limit {
			break
		}
		if !seen[[2]string{h.ItemID, h.Lesson}] {
			hits = append(hits, h)
		}
	}
	return hits, nil
}

func (ix *Index) run(ctx context.Context, q Query, lang, match string, stems []string, limit int) ([]Hit, error) {
	var sb strings.Builder
	// Rank on the index alone, over a bounded set of candidates; read the
	// text of the few best rows only.
	sb.WriteString(`SELECT d.item, d.lesson, d.title, d.body, s.score FROM (
SELECT id, score FROM (
SELECT fts.rowid AS id, bm25(fts, 10.0, 5.0, 1.0) AS score
FROM fts JOIN docs d ON d.id = fts.rowid
WHERE fts MATCH ? AND d.lang = ?`)
	args := []any{match, lang}
	if q.Area != 0 {
		sb.WriteString(` AND instr(d.areas, ?) > 0`) // LIKE with a parameter would re-prepare the statement every time
		args = append(args, ","+strconv.Itoa(q.Area)+",")
	}
	if q.Level != 0 {
		sb.WriteString(` AND d.level = ?`)
		args = append(args, q.Level)
	}
	if q.Domain != "" {
		sb.WriteString(` AND instr(d.domains, ?) > 0`)
		args = append(args, ","+q.Domain+",")
	}
	if q.Kind != "" {
		sb.WriteString(` AND d.kind = ?`)
		args = append(args, q.Kind)
	}
	sb.WriteString(` LIMIT ?) ORDER BY score LIMIT ?) s JOIN docs d ON d.id = s.id ORDER BY s.score`)
	args = append(args, maxRanked, limit)
	st, err := ix.stmt(ctx, sb.String())
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
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
		if stopWords[w] {
			continue
		}
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
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
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

// stopWords are words too common to search for, Italian and English
// (folded). A query made only of them finds nothing.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`il lo la gli le un una uno del dello della dei degli delle al allo alla ai agli alle
		dal dalla dai dagli dalle nel nello nella nei negli nelle sul sulla sui sugli sulle con per tra fra che chi non come
		piu anche suo sua suoi sue mio mia tuo tua cosa sono essere avere questo questa quello quella dove quando
		the and for with from that this what how are was you your can not`) {
		m[w] = true
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
	folded := Fold(body) // rune for rune, so rune offsets agree with body
	at := -1             // byte offset in folded
	for _, st := range stems {
		for off := 0; off < len(folded); {
			k := strings.Index(folded[off:], st)
			if k < 0 {
				break
			}
			k += off
			if k == 0 || !isWordByte(folded[k-1]) {
				if at < 0 || k < at {
					at = k
				}
				break
			}
			off = k + len(st)
		}
	}
	// The match's byte offset in body, then a window around it.
	pos := 0
	if at > 0 {
		n := utf8.RuneCountInString(folded[:at])
		for i := range body {
			if n == 0 {
				pos = i
				break
			}
			n--
		}
	}
	start := pos
	for back := 0; start > 0 && back < 40; back++ {
		_, size := utf8.DecodeLastRuneInString(body[:start])
		start -= size
	}
	end := pos
	for fwd := 0; end < len(body) && fwd < 160; fwd++ {
		_, size := utf8.DecodeRuneInString(body[end:])
		end += size
	}
	window := body[start:end]
	words := strings.Fields(stripMarkdown(window))
	if start > 0 && len(words) > 1 && !unicode.IsSpace(rune(body[start-1])) {
		words = words[1:] // drop the cut first word
	}
	if end < len(body) && len(words) > 1 && !unicode.IsSpace(rune(body[end])) {
		words = words[:len(words)-1]
	}
	out := strings.Join(words, " ")
	if start > 0 {
		out = "…" + out
	}
	if end < len(body) {
		out += "…"
	}
	return out
}

// isWordByte reports whether b is part of a word: an ASCII letter or
// digit, or any byte of a multi-byte character.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

var mdMarks = strings.NewReplacer("**", "", "*", "", "# ", "", "#", "", "![", "", "](", " (", "`", "")

// stripMarkdown drops the Markdown marks a snippet should not show.
func stripMarkdown(s string) string {
	return mdMarks.Replace(s)
}
