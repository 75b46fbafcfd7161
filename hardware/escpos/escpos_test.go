package escpos

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file\n got: % x\nwant: % x", name, got, want)
	}
}

func sampleJob(t *testing.T, p Paper) []byte {
	t.Helper()
	logo := Bitmap{WidthBytes: 2, Height: 2, Data: []byte{0xFF, 0x00, 0x0F, 0xF0}}
	b, err := NewEncoder(p).Init().
		Align(Center).Size(2, 2).Bold(true).Text("A042").Size(1, 1).Bold(false).
		Align(Left).Text("Perché l'attività è già più facile: 15,50 €").
		Raster(logo).
		QR("https://verifica.example.it/c/ABC123", QRMedium, 6).
		Code128("LIB-000123", 60).
		Feed(3).Cut().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The golden files hold the exact bytes a printer receives. They were
// checked by hand against the Epson command reference; a change to them is a
// change to what every kiosk prints.
func TestGoldenBytes(t *testing.T) {
	golden(t, "sample58.bin", sampleJob(t, Paper58))
	golden(t, "sample80.bin", sampleJob(t, Paper80))
}

func TestDecodeStructure(t *testing.T) {
	ops, err := Decode(sampleJob(t, Paper58))
	if err != nil {
		t.Fatal(err)
	}
	got := Summary(ops)
	golden(t, "sample58.txt", []byte(got))
	for _, want := range []string{
		"init \ncodepage 13\n",
		"size 11\nbold 01\ntext \"A042\"\n",
		"qr.model 32\nqr.size 06\nqr.ec 31\nqr.store \"https://verifica.example.it/c/ABC123\"\nqr.print \n",
		"code128 \"LIB-000123\"",
		"raster 16x2",
		"cut 42 03",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("decoded job lacks %q:\n%s", want, got)
		}
	}
}

func TestItalianAccentsAndEuroRoundTrip(t *testing.T) {
	s := "àèéìòù ÀÈÉÌÒÙ € « » ° perché"
	b := AppendPC858(nil, s)
	if len(b) != len([]rune(s)) {
		t.Fatalf("every character should be one byte: %d bytes for %d runes", len(b), len([]rune(s)))
	}
	if bytes.ContainsRune(b, '?') {
		t.Fatalf("some Italian character fell back to '?': % x", b)
	}
	if got := DecodePC858(b); got != s {
		t.Errorf("round trip: %q, want %q", got, s)
	}
	// Spot values from the IBM 858 table.
	for r, c := range map[rune]byte{'€': 0xD5, 'à': 0x85, 'è': 0x8A, 'é': 0x82, 'ù': 0x97, 'È': 0xD4} {
		if got := AppendPC858(nil, string(r)); got[0] != c {
			t.Errorf("%c encodes as %#02x, want %#02x", r, got[0], c)
		}
	}
}

func TestUnmappableFallsBack(t *testing.T) {
	if got := string(AppendPC858(nil, "l’ora – ok… 漢")); got != "l'ora - ok... ?" {
		t.Errorf("got %q", got)
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in   string
		cols int
		want []string
	}{
		{"uno due tre", 7, []string{"uno due", "tre"}},
		{"perché così è", 6, []string{"perché", "così è"}},
		{"", 10, []string{""}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"a\n\nb", 10, []string{"a", "", "b"}},
		{"  spazi   doppi  ", 20, []string{"spazi doppi"}},
	}
	for _, c := range cases {
		if got := Wrap(c.in, c.cols); !slices.Equal(got, c.want) {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.cols, got, c.want)
		}
	}
}

func TestTextWrapsToPaperAndSize(t *testing.T) {
	long := strings.Repeat("parola ", 20)
	for _, p := range []Paper{Paper58, Paper80} {
		for _, w := range []int{1, 2} {
			b, err := NewEncoder(p).Size(w, 1).Text(long).Bytes()
			if err != nil {
				t.Fatal(err)
			}
			ops, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			lines := Lines(ops)
			if len(lines) < 2 {
				t.Fatalf("%s ×%d: not wrapped: %q", p.Name, w, lines)
			}
			for _, l := range lines {
				if n := len([]rune(l)); n > p.Columns/w {
					t.Errorf("%s ×%d: line %q has %d columns, paper holds %d", p.Name, w, l, n, p.Columns/w)
				}
			}
		}
	}
}

func TestColumns2(t *testing.T) {
	b, _ := NewEncoder(Paper58).Columns2("Avviso pagoPA", "15,50 €").Bytes()
	ops, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	l := Lines(ops)
	if len(l) != 1 || len([]rune(l[0])) != 32 || !strings.HasSuffix(l[0], "15,50 €") {
		t.Errorf("got %q", l)
	}
}

func TestBadInputIsAnError(t *testing.T) {
	cases := map[string]*Encoder{
		"empty QR":        NewEncoder(Paper80).QR("", QRLow, 4),
		"QR EC byte":      NewEncoder(Paper80).QR("x", 'Z', 4),
		"QR too long":     NewEncoder(Paper80).QR(strings.Repeat("x", MaxQRData+1), QRLow, 4),
		"code128 accents": NewEncoder(Paper80).Code128("però", 50),
		"raster too wide": NewEncoder(Paper58).Raster(Bitmap{WidthBytes: 49, Height: 1, Data: make([]byte, 49)}),
		"raster short":    NewEncoder(Paper58).Raster(Bitmap{WidthBytes: 2, Height: 2, Data: make([]byte, 3)}),
		"size":            NewEncoder(Paper58).Size(9, 1),
	}
	for name, e := range cases {
		if b, err := e.Bytes(); err == nil {
			t.Errorf("%s: no error, got % x", name, b)
		}
	}
}

func TestDecodeRejectsBrokenJobs(t *testing.T) {
	good := sampleJob(t, Paper80)
	for name, b := range map[string][]byte{
		"truncated":      good[:len(good)-2],
		"unterminated":   []byte("ciao"),
		"QR length lies": {gs, '(', 'k', 10, 0, '1', 'P', '0', 'a'},
		"bad EC":         {gs, '(', 'k', 3, 0, '1', 'E', 60},
		"unknown":        {esc, 'Z'},
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestStatusBytes(t *testing.T) {
	st, err := ParsePaper(0x12 | 0x60)
	if err != nil || !st.PaperOut {
		t.Errorf("paper end: %+v %v", st, err)
	}
	st, err = ParsePaper(0x12 | 0x0C)
	if err != nil || st.PaperOut || !st.PaperLow {
		t.Errorf("paper near end: %+v %v", st, err)
	}
	st, err = ParseOffline(0x12 | 0x04)
	if err != nil || !st.CoverOpen {
		t.Errorf("cover open: %+v %v", st, err)
	}
	if _, err := ParsePaper(0xFF); !errors.Is(err, ErrBadStatus) {
		t.Errorf("garbage status accepted: %v", err)
	}
}
