package fanout_test

import (
	"testing"

	"github.com/officina-digitale/officina/kiosk/fanout"
)

func TestSlowSubscriberNeverStallsTheSender(t *testing.T) {
	var f fanout.Fanout[int]
	fast, stopFast := f.Subscribe(10)
	slow, stopSlow := f.Subscribe(1)
	for i := 1; i <= 3; i++ {
		f.Send(i) // must not block although slow is full after the first
	}
	if f.Dropped() != 2 {
		t.Errorf("dropped %d, want 2 (the slow subscriber missed 2 and 3)", f.Dropped())
	}
	if v := <-slow; v != 1 {
		t.Errorf("slow got %d first, want 1", v)
	}
	for want := 1; want <= 3; want++ {
		if v := <-fast; v != want {
			t.Errorf("fast got %d, want %d", v, want)
		}
	}
	stopSlow()
	stopSlow()
	if _, ok := <-slow; ok {
		t.Error("the channel is still open after its subscription ended")
	}
	if missed := f.Send(4); missed != 0 {
		t.Errorf("after unsubscribing, a send missed %d", missed)
	}
	if v := <-fast; v != 4 {
		t.Errorf("fast got %d, want 4", v)
	}
	stopFast()
}
