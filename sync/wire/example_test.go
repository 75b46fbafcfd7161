package wire_test

import (
	"fmt"

	"github.com/officina-digitale/officina/sync/wire"
)

func ExampleBatchEncoder() {
	enc := wire.NewBatchEncoder("ofc-demo")
	enc.Add(wire.Event{Seq: 1, Kind: "service.recorded", Version: 1, WallMS: 1767225600000, ClockSynced: true, Payload: []byte(`{"se5":9}`)})
	enc.Add(wire.Event{Seq: 2, Kind: "service.recorded", Version: 1, WallMS: 1767225660000, ClockSynced: true, Payload: []byte(`{"se5":6}`)})
	body, _ := enc.Finish()

	b, err := wire.DecodeBatch(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range b.Events {
		fmt.Println(b.Device, e.Seq, e.Kind, string(e.Payload))
	}
	// Output:
	// ofc-demo 1 service.recorded {"se5":9}
	// ofc-demo 2 service.recorded {"se5":6}
}
