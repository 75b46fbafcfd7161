// Package builtin is the catalogue embedded in the binary, so that a fresh
// kiosk has real courses and e-service guides to offer before it ever
// reaches a hub: Italian originals with English translations, written for
// first-time users.
//
// The embedded files are trusted because they are part of the signed,
// installed binary; bundles that arrive later must carry a signature.
package builtin

import (
	"embed"
	"io/fs"
)

//go:embed catalog
var files embed.FS

// FS returns the catalogue's files: one directory per item, in the format
// of package course.
func FS() fs.FS {
	sub, err := fs.Sub(files, "catalog")
	if err != nil {
		panic(err) // "catalog" is a valid path embedded above
	}
	return sub
}
