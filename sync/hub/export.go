package hub

import (
	"context"
	"crypto/hpke"
	"errors"
	"fmt"
	"iter"

	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/store"
)

// SealOpener returns an opener for the values kiosks sealed to the hub's
// seal key (the national monitoring export opens the codici fiscali with
// it).
func (k *Keys) SealOpener() (*seal.Opener, error) {
	priv, err := hpke.NewDHKEMPrivateKey(k.Seal)
	if err != nil {
		return nil, fmt.Errorf("hub: seal key: %w", err)
	}
	return seal.NewOpener(priv), nil
}

var errStopped = errors.New("hub: events: stopped by the consumer")

// Events yields every stored event of every kiosk in (device, seq) order,
// as the kiosk's store types them, for exports written against the kiosk's
// event log (kiosk/monitoring). An event's Time is the hub's corrected
// time. A read error is yielded once, last.
func Events(ctx context.Context, st Store) iter.Seq2[store.Event, error] {
	return func(yield func(store.Event, error) bool) {
		err := st.StoredEvents(ctx, func(e StoredEvent) error {
			if !yield(store.Event{DeviceID: e.DeviceID, Seq: e.Seq, Kind: e.Kind, Version: e.Version,
				Payload: e.Payload, Time: e.Corrected, ClockSynced: e.ClockSynced}, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(store.Event{}, err)
		}
	}
}
