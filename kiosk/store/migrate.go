package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Schema is the set of tables one package owns, as an ordered list of
// migrations. Migration i (0-based) brings the schema from version i to
// version i+1. Migrations are append-only: once released, never edit one;
// add the next.
type Schema struct {
	Name       string
	Migrations []string
}

//go:embed migrations/*.sql
var coreFS embed.FS

var coreSchema = MustSchemaFromFS("store", coreFS, "migrations")

// SchemaFromFS builds a schema from the files dir/NNN_description.sql in
// fsys, ordered by their number. Numbers must run 1, 2, 3… without gaps.
func SchemaFromFS(name string, fsys fs.FS, dir string) (Schema, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return Schema{}, fmt.Errorf("store: schema %s: %w", name, err)
	}
	type mig struct {
		n   int
		sql string
	}
	var migs []mig
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 1 {
			return Schema{}, fmt.Errorf("store: schema %s: migration %q must be named NNN_description.sql", name, e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return Schema{}, fmt.Errorf("store: schema %s: %w", name, err)
		}
		migs = append(migs, mig{n, string(b)})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].n < migs[j].n })
	s := Schema{Name: name}
	for i, m := range migs {
		if m.n != i+1 {
			return Schema{}, fmt.Errorf("store: schema %s: migration %d is missing", name, i+1)
		}
		s.Migrations = append(s.Migrations, m.sql)
	}
	return s, nil
}

// MustSchemaFromFS is SchemaFromFS for embedded files known at build time;
// it panics on a malformed set, which a test of the owning package catches.
func MustSchemaFromFS(name string, fsys fs.FS, dir string) Schema {
	s, err := SchemaFromFS(name, fsys, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// migrate brings every schema up to date in one transaction, or refuses if
// the database holds a newer version of any of them.
func (s *Store) migrate(ctx context.Context, schemas []Schema) error {
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, classify(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_versions (
		name TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, classify(err))
	}
	have := map[string]int{}
	rows, err := conn.QueryContext(ctx, `SELECT name, version FROM schema_versions`)
	if err != nil {
		return fmt.Errorf("store: read schema versions: %w", classify(err))
	}
	for rows.Next() {
		var name string
		var v int
		if err := rows.Scan(&name, &v); err != nil {
			rows.Close()
			return fmt.Errorf("store: read schema versions: %w", classify(err))
		}
		have[name] = v
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: read schema versions: %w", classify(err))
	}
	var pending bool
	for _, sc := range schemas {
		v := have[sc.Name]
		if v > len(sc.Migrations) {
			return fmt.Errorf("%w: %s has %q at version %d, this binary knows up to %d; install the newer officina or restore a backup",
				ErrNewerSchema, s.path, sc.Name, v, len(sc.Migrations))
		}
		if v < len(sc.Migrations) {
			pending = true
		}
	}
	if !pending {
		return nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", classify(err))
	}
	defer tx.Rollback()
	for _, sc := range schemas {
		for v := have[sc.Name]; v < len(sc.Migrations); v++ {
			if _, err := tx.ExecContext(ctx, sc.Migrations[v]); err != nil {
				return fmt.Errorf("store: migrate %s to version %d: %w", sc.Name, v+1, classify(err))
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_versions(name, version) VALUES(?, ?)
			ON CONFLICT(name) DO UPDATE SET version = excluded.version`, sc.Name, len(sc.Migrations)); err != nil {
			return fmt.Errorf("store: migrate %s: %w", sc.Name, classify(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", classify(err))
	}
	return nil
}
