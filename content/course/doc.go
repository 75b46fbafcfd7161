// Package course is the on-disk format of courses and e-service guides:
// a directory per item holding meta.toml (metadata, and for a guide what
// to bring, the steps and the common problems), lessons as Markdown in
// reading order with translations side by side (01-name.it.md,
// 01-name.en.md), an optional quiz.toml and a media/ folder.
//
// Load reads an item from any fs.FS (a directory on disk, the embedded
// built-in catalogue or an activated bundle). Check reports every problem
// it finds as a Problem with file and line, and never panics on any input.
// docs/content-format.md describes the format with a complete example.
package course
