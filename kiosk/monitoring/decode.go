package monitoring

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/people"
)

// The export decodes every service payload and every sealed identity; with
// encoding/json that was over half of its time (reflection, and a
// validating pass before the decoding one). The payloads are the ones
// json.Marshal writes for two flat structs, so a scanner for exactly that
// shape decodes them in one pass. Anything it does not expect (an escape,
// null, a number that is not a plain integer, an unknown or repeated-case
// key, trailing bytes) makes it give up and hand the payload to
// encoding/json, so the result, and every error message, is what
// json.Unmarshal gives. FuzzDecodeService checks that.

// decodeService decodes a service.recorded payload into *sv, which must be
// zero.
func decodeService(b []byte, sv *assistance.ServiceEvent) error {
	if scanService(b, sv) {
		return nil
	}
	*sv = assistance.ServiceEvent{}
	return json.Unmarshal(b, sv)
}

// decodeSealed decodes an opened identity into *id, which must be zero.
func decodeSealed(b []byte, id *people.Sealed) error {
	if scanSealed(b, id) {
		return nil
	}
	*id = people.Sealed{}
	return json.Unmarshal(b, id)
}

// scanner reads a JSON object's members. Strings are substrings of src, so
// one conversion of the payload serves every field (copy says whether to
// copy each value instead, for plaintext that is cleared after use).
type scanner struct {
	b    []byte
	src  string
	i    int
	copy bool
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// byte_ consumes c after optional white space.
func (s *scanner) byte_(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// peek reports whether the next byte after white space is c.
func (s *scanner) peek(c byte) bool {
	s.ws()
	return s.i < len(s.b) && s.b[s.i] == c
}

// str reads a string with no escapes, in valid UTF-8.
func (s *scanner) str() (string, bool) {
	if !s.byte_('"') {
		return "", false
	}
	start, ascii := s.i, true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(v) {
				return "", false
			}
			if s.copy {
				return string(v), true
			}
			return s.src[start : s.i-1], true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
	return "", false
}

// int reads a JSON integer that fits an int without doubt.
func (s *scanner) int() (int, bool) {
	s.ws()
	neg := false
	if s.i < len(s.b) && s.b[s.i] == '-' {
		neg = true
		s.i++
	}
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 15 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) {
		if c := s.b[s.i]; c == '.' || c == 'e' || c == 'E' {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

func (s *scanner) bool_() (bool, bool) {
	s.ws()
	if s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "true" {
		s.i += 4
		return true, true
	}
	if s.i+5 <= len(s.b) && string(s.b[s.i:s.i+5]) == "false" {
		s.i += 5
		return false, true
	}
	return false, false
}

// strs reads an array of strings; [] gives an empty, non-nil slice, as
// encoding/json does.
func (s *scanner) strs() ([]string, bool) {
	if !s.byte_('[') {
		return nil, false
	}
	out := make([]string, 0, 2)
	if s.byte_(']') {
		return out, true
	}
	for {
		v, ok := s.str()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if s.byte_(']') {
			return out, true
		}
		if !s.byte_(',') {
			return nil, false
		}
	}
}

func (s *scanner) ints() ([]int, bool) {
	if !s.byte_('[') {
		return nil, false
	}
	out := make([]int, 0, 2)
	if s.byte_(']') {
		return out, true
	}
	for {
		v, ok := s.int()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if s.byte_(']') {
			return out, true
		}
		if !s.byte_(',') {
			return nil, false
		}
	}
}

// object calls member for each key, which reads the value and reports
// whether it could; it then checks that nothing follows the object.
func (s *scanner) object(member func(key string) bool) bool {
	if !s.byte_('{') {
		return false
	}
	if !s.byte_('}') {
		for {
			k, ok := s.str()
			if !ok || !s.byte_(':') || s.peek('n') || !member(k) {
				return false
			}
			if s.byte_('}') {
				break
			}
			if !s.byte_(',') {
				return false
			}
		}
	}
	s.ws()
	return s.i == len(s.b)
}

func scanService(b []byte, sv *assistance.ServiceEvent) bool {
	s := scanner{b: b, src: string(b)}
	var ok bool
	return s.object(func(k string) bool {
		switch k {
		case "citizen":
			sv.Citizen, ok = s.str()
		case "sealed":
			sv.Sealed, ok = s.str()
		case "facilitator_id":
			sv.FacilitatorID, ok = s.str()
		case "facilitator_name":
			sv.FacilitatorName, ok = s.str()
		case "site_id":
			sv.SiteID, ok = s.str()
		case "site_name":
			sv.SiteName, ok = s.str()
		case "gender":
			sv.Gender, ok = s.str()
		case "age_band":
			sv.AgeBand, ok = s.str()
		case "education":
			sv.Education, ok = s.str()
		case "employment":
			sv.Employment, ok = s.str()
		case "citizenship":
			sv.Citizenship, ok = s.str()
		case "province":
			sv.Province, ok = s.str()
		case "first_time":
			sv.FirstTime, ok = s.bool_()
		case "used_before":
			sv.UsedBefore, ok = s.strs()
		case "date":
			sv.Date, ok = s.str()
		case "minutes":
			sv.Minutes, ok = s.int()
		case "service_types":
			sv.ServiceTypes, ok = s.strs()
		case "competences":
			sv.Competences, ok = s.ints()
		case "domains":
			sv.Domains, ok = s.strs()
		case "details":
			sv.Details, ok = s.str()
		case "guide":
			sv.Guide, ok = s.str()
		default:
			return false
		}
		return ok
	})
}

func scanSealed(b []byte, id *people.Sealed) bool {
	s := scanner{b: b, copy: true}
	var ok bool
	return s.object(func(k string) bool {
		switch k {
		case "cf":
			id.CF, ok = s.str()
		case "doc_type":
			id.DocType, ok = s.str()
		case "doc_number":
			id.DocNumber, ok = s.str()
		case "first_name":
			id.FirstName, ok = s.str()
		case "surname":
			id.Surname, ok = s.str()
		default:
			return false
		}
		return ok
	})
}
