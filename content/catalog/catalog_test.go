package catalog

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/content/course"
)

func TestBuiltin(t *testing.T) {
	c, err := Builtin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	list := c.List("en")
	if len(list) < 12 {
		t.Fatalf("%d entries", len(list))
	}
	for _, e := range list {
		if e.Fallback {
			t.Errorf("%s: English title falls back to Italian", e.ID)
		}
	}
	if list[0].Kind != course.KindCourse || list[len(list)-1].Kind != course.KindGuide {
		t.Errorf("courses come first, then guides")
	}
	uk := c.List("uk")
	if !uk[0].Fallback {
		t.Errorf("Ukrainian is not translated: the entry must say it fell back")
	}

	// A citizen types without accents; the SPID items come first.
	hits, err := c.Search("identita digitale", "it")
	if err != nil || len(hits) == 0 {
		t.Fatalf("search: %v %v", hits, err)
	}
	if !strings.HasPrefix(hits[0].ItemID, "spid") {
		t.Errorf("top hit for 'identita digitale' = %s", hits[0].ItemID)
	}
	hits, _ = c.Search("scam", "en")
	if len(hits) == 0 || hits[0].ItemID != "truffe-online" {
		t.Errorf("'scam' in English: %+v", hits)
	}
	se4, se5, se6, ok := c.Monitoring("cup-prenotazione")
	if !ok || se4[0] != "B" || se5[0] != 6 || se6[0] != "M" {
		t.Errorf("CUP monitoring codes = %v %v %v", se4, se5, se6)
	}
	f, err := c.Media("pagopa-con-io", "media/avviso.png")
	if err != nil {
		t.Fatalf("built-in media: %v", err)
	}
	png, _ := io.ReadAll(f)
	f.Close()
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Errorf("built-in media is not a PNG: % x", png[:min(8, len(png))])
	}
	if _, err := c.Media("spid-primo", "../truffe-online/meta.toml"); err == nil {
		t.Error("media path escaped the item")
	}
}

func TestOpenPrefersActiveBundle(t *testing.T) {
	ctx := context.Background()
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	lib, err := bundle.OpenLibrary(t.TempDir(), bundle.Options{Trusted: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(ctx, lib, course.Limits{})
	if err != nil || c.Source != "built-in" {
		t.Fatalf("no bundle: %v, source %q", err, c.Source)
	}
	c.Close()

	pub, err := bundle.OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Pack(os.DirFS("../course/testdata/good"), pub, "genova", 3, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := bundle.Sign(m, key)
	if err := lib.Import(signed, pub.Dir()); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Activate(ctx, signed); err != nil {
		t.Fatal(err)
	}
	c, err = Open(ctx, lib, course.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Source != "bundle genova version 3" || len(c.Items()) != 1 {
		t.Errorf("source %q with %d items", c.Source, len(c.Items()))
	}
	f, err := c.Media("esempio", "media/fumetto.png")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if len(b) == 0 || string(b[1:4]) != "PNG" {
		t.Errorf("media from the bundle: % x", b)
	}

	// A blob damaged on disk after activation: the kiosk shows the
	// built-in catalogue and says why.
	sum := ""
	for _, f := range m.Files {
		if f.Path == "esempio/meta.toml" {
			sum = f.SHA256
		}
	}
	p := filepath.Join(lib.Blobs().Dir(), sum[:2], sum)
	os.Chmod(p, 0o644)
	orig, _ := os.ReadFile(p)
	damaged := append([]byte{}, orig...)
	damaged[len(damaged)-2] ^= 0x20 // one flipped bit, as SD-card rot would do
	os.WriteFile(p, damaged, 0o644)
	c2, err := Open(ctx, lib, course.Limits{})
	if !errors.Is(err, bundle.ErrHashMismatch) || c2 == nil || c2.Source != "built-in" {
		t.Fatalf("damaged bundle: err %v, catalog %+v", err, c2)
	}
	c2.Close()
}

func BenchmarkOpenBuiltin(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		c, err := Builtin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
