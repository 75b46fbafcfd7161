// Package catalog is the catalogue the kiosk shows: the items of the
// active bundle, or of the built-in catalogue when no valid bundle is
// installed, with their search index and their media.
//
// It is what the UI, the printer and the records form use; it never
// changes once built. After a new bundle is activated, Open a new one and
// swap it in.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/officina-digitale/officina/content/builtin"
	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/content/search"
)

// Catalog is a loaded, checked catalogue.
type Catalog struct {
	// Source says where the items came from: "built-in" or
	// "bundle NAME version N".
	Source string

	items []*course.Item
	byID  map[string]*course.Item
	fsys  fs.FS
	index *search.Index
}

// New loads and checks the catalogue in fsys. Any problem is an error
// (course.Problems): a catalogue with problems is not shown.
func New(ctx context.Context, fsys fs.FS, source string, lim course.Limits) (*Catalog, error) {
	items, probs := course.LoadAll(fsys, lim)
	if len(probs) > 0 {
		return nil, fmt.Errorf("catalog: %s: %w", source, probs)
	}
	c := &Catalog{Source: source, items: items, byID: map[string]*course.Item{}, fsys: fsys}
	for _, it := range items {
		c.byID[it.ID] = it
	}
	ix, err := search.New(ctx, docs(items))
	if err != nil {
		return nil, err
	}
	c.index = ix
	return c, nil
}

// Builtin loads the catalogue embedded in the binary.
func Builtin(ctx context.Context) (*Catalog, error) {
	return New(ctx, builtin.FS(), "built-in", course.Limits{})
}

// Open loads the library's active bundle, or the built-in catalogue if
// none is active. If the active bundle cannot be read or fails its checks,
// it falls back to the built-in catalogue and also returns the reason, so
// the kiosk keeps working and doctor can say what is wrong.
func Open(ctx context.Context, lib *bundle.Library, lim course.Limits) (*Catalog, error) {
	m, fsys, err := lib.Active()
	if errors.Is(err, bundle.ErrNoBundle) {
		return Builtin(ctx)
	}
	var c *Catalog
	if err == nil {
		// Re-hash the text files (small) at every start, so that a file
		// damaged on the SD card after activation is caught; media files
		// are checked at activation only, as hashing them would slow boot.
		text := &bundle.Manifest{Format: m.Format, Files: nil}
		for _, f := range m.Files {
			if !strings.Contains("/"+f.Path, "/"+course.MediaDir+"/") {
				text.Files = append(text.Files, f)
			}
		}
		err = bundle.VerifyBlobs(ctx, lib.Blobs(), text)
	}
	if err == nil {
		c, err = New(ctx, fsys, fmt.Sprintf("bundle %s version %d", m.Name, m.Version), lim)
		if err == nil {
			return c, nil
		}
	}
	b, berr := Builtin(ctx)
	if berr != nil {
		return nil, errors.Join(err, berr)
	}
	return b, fmt.Errorf("catalog: active bundle unusable, showing the built-in catalogue: %w", err)
}

// Close frees the search index.
func (c *Catalog) Close() error { return c.index.Close() }

// Items returns every item, sorted by id. The items must not be modified.
func (c *Catalog) Items() []*course.Item { return c.items }

// Item returns the course or guide with this id.
func (c *Catalog) Item(id string) (*course.Item, bool) {
	it, ok := c.byID[id]
	return it, ok
}

// Entry is one line of the catalogue as a list shows it, in one language.
type Entry struct {
	ID        string
	Kind      course.Kind
	Title     string
	Summary   string
	Fallback  bool // the item is not translated into the language asked: Italian is shown
	Languages []string
	DigComp   []string
	Level     int
	SE5       []int
	SE6       []string
	Minutes   int
}

// List returns the catalogue in lang, sorted by kind (courses first), then
// by title.
func (c *Catalog) List(lang string) []Entry {
	out := make([]Entry, 0, len(c.items))
	for _, it := range c.items {
		title, fb1 := it.Title.Get(lang)
		summary, fb2 := it.Summary.Get(lang)
		out = append(out, Entry{
			ID: it.ID, Kind: it.Kind, Title: title, Summary: summary, Fallback: fb1 || fb2,
			Languages: it.Languages, DigComp: it.DigComp, Level: it.Level, SE5: it.SE5, SE6: it.SE6, Minutes: it.Minutes,
		})
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		if a.Kind != b.Kind {
			return strings.Compare(string(a.Kind), string(b.Kind))
		}
		return strings.Compare(search.Fold(a.Title), search.Fold(b.Title))
	})
	return out
}

// Monitoring returns the Facilita codes a service record is prefilled
// with when a facilitator uses this guide or course: SE4 areas, SE5
// competences and SE6 domains.
func (c *Catalog) Monitoring(id string) (se4 []string, se5 []int, se6 []string, ok bool) {
	it, ok := c.byID[id]
	if !ok {
		return nil, nil, nil, false
	}
	return it.SE4(), it.SE5, it.SE6, true
}

// Media opens a media file of an item by its path inside the item's
// directory, as lessons write it ("media/spid.png").
func (c *Catalog) Media(id, name string) (fs.File, error) {
	it, ok := c.byID[id]
	if !ok {
		return nil, fmt.Errorf("catalog: no item %q", id)
	}
	clean := path.Clean(name)
	if !strings.HasPrefix(clean, course.MediaDir+"/") || !fs.ValidPath(clean) {
		return nil, fmt.Errorf("catalog: %s: %q is not a media path", id, name)
	}
	return c.fsys.Open(path.Join(it.Dir, clean))
}

// Search finds items and lessons matching what a person typed, in lang,
// best first.
func (c *Catalog) Search(query, lang string) ([]search.Hit, error) {
	return c.index.Search(context.Background(), search.Query{Text: query, Lang: lang})
}

// SearchQuery is Search with filters (DigComp area, level, SE6 domain,
// kind).
func (c *Catalog) SearchQuery(ctx context.Context, q search.Query) ([]search.Hit, error) {
	return c.index.Search(ctx, q)
}

// docs turns items into search documents: for every language any item
// has, each item in that language, or in Italian if it lacks it.
func docs(items []*course.Item) []search.Doc {
	langs := map[string]bool{}
	for _, it := range items {
		for _, l := range it.Languages {
			langs[l] = true
		}
	}
	var out []search.Doc
	for lang := range langs {
		for _, it := range items {
			get := func(t course.Text) string { s, _ := t.Get(lang); return s }
			base := search.Doc{ItemID: it.ID, Lang: lang, Kind: string(it.Kind), Level: it.Level, Areas: it.DigCompAreas(), Domains: it.SE6}
			card := base
			card.Title, card.Summary = get(it.Title), get(it.Summary)
			var body []string
			for _, list := range [][]course.Text{it.Bring, it.Steps, it.Problems} {
				for _, t := range list {
					body = append(body, get(t))
				}
			}
			card.Body = strings.Join(body, "\n")
			out = append(out, card)
			for _, l := range it.Lessons {
				d := base
				d.Lesson = l.Name
				d.Title, d.Summary, d.Body = get(l.Title), card.Title, get(l.Body)
				out = append(out, d)
			}
		}
	}
	return out
}
