package monitoring

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/people"
)

// The export's decoders must give exactly what encoding/json gives, value
// and error, for any payload: the fast path for what json.Marshal writes,
// encoding/json itself for anything else.

func sameAsJSON[T any](t *testing.T, b []byte, decode func([]byte, *T) error) {
	t.Helper()
	var got, want T
	gerr := decode(b, &got)
	werr := json.Unmarshal(b, &want)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("%q: error %v, encoding/json says %v", b, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", b, got, want)
	}
}

var serviceSeeds = []string{
	`{"citizen":"abc","sealed":"s1.k.xyz","facilitator_id":"FAC-GE-001","facilitator_name":"Giulia D'Amico","site_id":"GE-0042","site_name":"Biblioteca Berio, Genova","gender":"A","age_band":"D","education":"C","employment":"G","citizenship":"A","province":"GE","first_time":true,"used_before":["A","C"],"date":"2026-11-02","minutes":35,"service_types":["A"],"competences":[9,6],"domains":["A","L"],"details":"Attivazione SPID","guide":"spid"}`,
	`{"citizen":"abc","first_time":false,"minutes":-0,"competences":[],"domains":[]}`,
	` { "citizen" : "Niccolò" , "minutes" : 12 } `,
	`{"citizen":"a\u0026b"}`,
	`{"Citizen":"upper case key"}`,
	`{"citizen":null,"domains":null}`,
	`{"minutes":1.5}`,
	`{"minutes":1e2}`,
	`{"minutes":0123}`,
	`{"minutes":99999999999999999999}`,
	`{"citizen":"a","citizen":"b","domains":["A"],"domains":["B"]}`,
	`{"unknown":{"nested":[1,2]}}`,
	`{"citizen":"a"} x`,
	`{"citizen":"a",}`,
	`{"first_time":"yes"}`,
	`{"citizen":"` + "\xff" + `"}`,
	`[]`,
	``,
	`{}`,
}

func TestDecodeServiceMatchesEncodingJSON(t *testing.T) {
	for _, s := range serviceSeeds {
		sameAsJSON(t, []byte(s), decodeService)
	}
	for _, s := range []string{
		`{"cf":"RSSMRA80A01D969Z","first_name":"Mario","surname":"Rossi"}`,
		`{"doc_type":"D","doc_number":"UKR778899","first_name":"Оксана","surname":"D'Amico"}`,
		`{"first_name":"Anna \"Maria\"","surname":"x"}`, `{"cf":5}`, `null`,
	} {
		sameAsJSON(t, []byte(s), decodeSealed)
	}
}

// The payload as the kiosk writes it decodes on the fast path.
func TestDecodeServiceFastPath(t *testing.T) {
	ev := assistance.ServiceEvent{Citizen: "c", Sealed: "s1.k.v", FacilitatorName: "Giulia D'Amico", SiteName: "Berio, Genova",
		Date: "2026-11-02", Minutes: 30, UsedBefore: []string{"A"}, ServiceTypes: []string{"A"}, Competences: []int{9, 6}, Domains: []string{"A", "L"}}
	b, _ := json.Marshal(ev)
	var got assistance.ServiceEvent
	if !scanService(b, &got) || !reflect.DeepEqual(got, ev) {
		t.Fatalf("fast path: %#v", got)
	}
	id := people.Sealed{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi"}
	b, _ = json.Marshal(id)
	var gid people.Sealed
	if !scanSealed(b, &gid) || gid != id {
		t.Fatalf("fast path: %#v", gid)
	}
}

func FuzzDecodeService(f *testing.F) {
	for _, s := range serviceSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsJSON(t, b, decodeService)
		sameAsJSON(t, b, decodeSealed)
	})
}
