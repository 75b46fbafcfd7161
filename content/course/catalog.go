package course

import (
	"errors"
	"io/fs"
	"path"
	"sort"
)

// LoadAll reads every item of a catalogue: each directory of fsys's root
// that holds a meta.toml (or fsys itself if its root holds one, to check a
// single item). Items come back sorted by id. Problems that span items
// (two items with one id, a prerequisite that does not exist) are
// reported too.
func LoadAll(fsys fs.FS, lim Limits) ([]*Item, Problems) {
	if _, err := fs.Stat(fsys, MetaFile); err == nil {
		it, probs := Load(fsys, ".", lim)
		if it == nil {
			return nil, probs
		}
		return []*Item{it}, probs
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, Problems{{File: ".", Msg: "cannot list the catalogue: " + err.Error()}}
	}
	var items []*Item
	var probs Problems
	byID := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(e.Name(), MetaFile)); errors.Is(err, fs.ErrNotExist) {
			probs = append(probs, Problem{File: e.Name(), Msg: "directory has no meta.toml; every course or guide needs one"})
			continue
		}
		it, ps := Load(fsys, e.Name(), lim)
		probs = append(probs, ps...)
		if it == nil {
			continue
		}
		if prev, dup := byID[it.ID]; dup && it.ID != "" {
			probs = append(probs, Problem{File: path.Join(e.Name(), MetaFile), Msg: "id " + it.ID + " is already used by " + prev})
			continue
		}
		byID[it.ID] = e.Name()
		items = append(items, it)
	}
	if len(items) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{File: ".", Msg: "no courses or guides found: expected directories holding meta.toml"})
	}
	for _, it := range items {
		for _, p := range it.Prerequisites {
			if _, ok := byID[p]; !ok {
				probs = append(probs, Problem{File: path.Join(it.Dir, MetaFile), Msg: "prerequisite " + p + " is not in the catalogue"})
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	return items, probs
}
