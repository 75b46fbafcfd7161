package codicefiscale

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func TestValidCodes(t *testing.T) {
	tests := []struct {
		in       string
		gender   Gender
		birth    string
		place    string
		omocodic bool
	}{
		{"RSSMRA80A01D969Z", Male, "1980-01-01", "D969", false},
		{"BNCNNA52L55D612I", Female, "1952-07-15", "D612", false},
		{"RSSMRA80A01D96VO", Male, "1980-01-01", "D969", true},
		{"rssmra80a01d969z", Male, "1980-01-01", "D969", false},          // typed in lower case
		{"  RSS MRA 80A01 D969Z\r\n", Male, "1980-01-01", "D969", false}, // spaces and a line end
		{"*RSSMRA80A01D969Z*", Male, "1980-01-01", "D969", false},        // Code 39 start/stop
		{"VRDGPP13P10Z110P", Male, "2013-09-10", "Z110", false},          // foreign-born child, born this century
		{"FRRLCU24C41H501I", Female, "2024-03-01", "H501", false},
		{"FRRLCU28C41H501M", Female, "1928-03-01", "H501", false}, // '28 is after now, so 1928
		{"BNCNNA52L55D612I", Female, "1952-07-15", "D612", false},
	}
	for _, tt := range tests {
		c, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if c.Gender() != tt.gender || c.BirthDate(now).Format(time.DateOnly) != tt.birth ||
			c.Place() != tt.place || c.Omocodic() != tt.omocodic {
			t.Errorf("Parse(%q) = gender %s, born %s, place %s, omocodic %v; want %s %s %s %v", tt.in,
				c.Gender(), c.BirthDate(now).Format(time.DateOnly), c.Place(), c.Omocodic(),
				tt.gender, tt.birth, tt.place, tt.omocodic)
		}
	}
}

func TestInvalidCodes(t *testing.T) {
	tests := []struct {
		in   string
		pos  int
		want string // part of the message
	}{
		{"", 0, "empty"},
		{"RSSMRA80A01D969", 0, "15 characters, it should have 16"},
		{"RSSMRA80A01D969ZZ", 0, "17 characters"},
		{"RSSMRÀ80A01D969Z", 0, "letters A–Z"},
		{"RSSMRA80A01D969A", 16, "should be Z"},
		{"BNCNNA52L55D612Z", 16, "should be I"},
		{"R5SMRA80A01D969Z", 2, "should be a letter (the surname part)"},
		{"RSSMR480A01D969Z", 6, "first name"},
		{"RSSMRAX0A01D969Z", 7, "should be a digit"},
		{"RSSMRA80F01D969Z", 9, "not a month letter"},
		{"RSSMRA80A32D969Z", 10, "day of birth 32"},
		{"RSSMRA80A00D969Z", 10, "day of birth 00"},
		{"RSSMRA80B30D969Z", 10, "not possible in February"},
		{"RSSMRA80A72D969Z", 10, "day of birth 72"},
		{"RSSMRA80A011969Z", 12, "birthplace"},
		{"RSSMRA80A01D9691", 16, "should be a letter"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an *Error", tt.in, err)
			continue
		}
		if e.Pos != tt.pos || !strings.Contains(e.Error(), tt.want) {
			t.Errorf("Parse(%q) = %q at %d; want position %d and %q", tt.in, e.Error(), e.Pos, tt.pos, tt.want)
		}
	}
}

func TestOmocodeVariantsAreValidAndDecodeAlike(t *testing.T) {
	base, err := Parse("RSSMRA80A01D969Z")
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 7; n++ {
		v, err := Omocode(base, n)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(v)
		if err != nil {
			t.Fatalf("variant %d %s: %v", n, v, err)
		}
		if !c.Omocodic() || c.BirthDate(now) != base.BirthDate(now) || c.Gender() != base.Gender() || c.Place() != base.Place() {
			t.Errorf("variant %d %s decodes differently", n, v)
		}
	}
	if v, _ := Omocode(base, 1); v != "RSSMRA80A01D96VO" {
		t.Errorf("first variant = %s, want the worked example RSSMRA80A01D96VO", v)
	}
}

func TestAge(t *testing.T) {
	c, _ := Parse("BNCNNA52L55D612I") // 15 July 1952
	if got := c.Age(time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC)); got != 73 {
		t.Errorf("age the day before the birthday = %d, want 73", got)
	}
	if got := c.Age(time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)); got != 74 {
		t.Errorf("age on the birthday = %d, want 74", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"RSSMRA80A01D969Z", "BNCNNA52L55D612I", "RSSMRA80A01D96VO", "", "X", "RSSMRA80A01D969A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Error() == "" {
				t.Fatalf("Parse(%q) error %v is not a described *Error", s, err)
			}
			return
		}
		code := c.String()
		if len(code) != 16 {
			t.Fatalf("valid code %q has length %d", code, len(code))
		}
		chk, err := CheckChar(code[:15])
		if err != nil || chk != code[15] {
			t.Fatalf("valid code %q has check %c, computed %c (%v)", code, code[15], chk, err)
		}
		if b := c.BirthDate(now); b.After(now) {
			t.Fatalf("%q born in the future: %v", code, b)
		}
		again, err := Parse(code)
		if err != nil || again != c {
			t.Fatalf("re-parsing %q gave %v, %v", code, again, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	codes := []string{"RSSMRA80A01D969Z", "BNCNNA52L55D612I", "RSSMRA80A01D96VO"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c, err := Parse(codes[i%3])
		if err != nil {
			b.Fatal(err)
		}
		_ = c.BirthDate(now)
	}
}
