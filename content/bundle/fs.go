package bundle

import (
	"io"
	"io/fs"
	"path"
	"sort"
	"time"
)

// bundleFS presents a manifest's files, stored as blobs, as a read-only
// file system with the manifest's paths.
type bundleFS struct {
	blobs *Blobs
	files map[string]File
	dirs  map[string][]fs.DirEntry
}

var (
	_ fs.ReadDirFS = (*bundleFS)(nil)
	_ fs.StatFS    = (*bundleFS)(nil)
)

func newFS(blobs *Blobs, m *Manifest) *bundleFS {
	b := &bundleFS{blobs: blobs, files: map[string]File{}, dirs: map[string][]fs.DirEntry{".": nil}}
	seenDir := map[string]bool{".": true}
	for _, f := range m.Files {
		b.files[f.Path] = f
		child := f.Path
		b.dirs[path.Dir(child)] = append(b.dirs[path.Dir(child)], entry{name: path.Base(child), size: f.Size})
		for d := path.Dir(child); d != "."; d = path.Dir(d) {
			if seenDir[d] {
				break
			}
			seenDir[d] = true
			parent := path.Dir(d)
			b.dirs[parent] = append(b.dirs[parent], entry{name: path.Base(d), dir: true})
			if _, ok := b.dirs[d]; !ok {
				b.dirs[d] = nil
			}
		}
	}
	for _, es := range b.dirs {
		sort.Slice(es, func(i, j int) bool { return es[i].Name() < es[j].Name() })
	}
	return b
}

func (b *bundleFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f, ok := b.files[name]; ok {
		r, err := b.blobs.Open(f.SHA256)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{File: r, info: entry{name: path.Base(name), size: f.Size}}, nil
	}
	if es, ok := b.dirs[name]; ok {
		return &dir{info: entry{name: path.Base(name), dir: true}, entries: es}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (b *bundleFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, ok := b.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return append([]fs.DirEntry(nil), es...), nil
}

func (b *bundleFS) Stat(name string) (fs.FileInfo, error) {
	if f, ok := b.files[name]; ok {
		return entry{name: path.Base(name), size: f.Size}, nil
	}
	if _, ok := b.dirs[name]; ok {
		return entry{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// entry is both the fs.FileInfo and the fs.DirEntry of a bundle path.
type entry struct {
	name string
	size int64
	dir  bool
}

func (e entry) Name() string { return e.name }
func (e entry) Size() int64  { return e.size }
func (e entry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (e entry) ModTime() time.Time         { return time.Time{} }
func (e entry) IsDir() bool                { return e.dir }
func (e entry) Sys() any                   { return nil }
func (e entry) Type() fs.FileMode          { return e.Mode().Type() }
func (e entry) Info() (fs.FileInfo, error) { return e, nil }

type file struct {
	fs.File
	info entry
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }

type dir struct {
	info    entry
	entries []fs.DirEntry
	off     int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}
func (d *dir) Close() error { return nil }
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return append([]fs.DirEntry(nil), rest...), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return append([]fs.DirEntry(nil), rest[:n]...), nil
}
