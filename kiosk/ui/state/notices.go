package state

import (
	"context"
	"strings"
)

// MaxNotice is how many characters of a hub notice the home screen shows.
const MaxNotice = 90

// HubNotice is the hub notice the home screen shows ("" when none, or when
// it cannot be read: a notice is never worth an error on the home screen).
// Only the first active notice is shown, cut at MaxNotice characters.
func (a *App) HubNotice() string {
	if a.d.Notices == nil {
		return ""
	}
	ctx, cancel := a.ctx()
	defer cancel()
	ns, err := a.d.Notices.Notices(ctx)
	if err != nil {
		return ""
	}
	for _, n := range ns {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" {
			continue
		}
		if r := []rune(n); len(r) > MaxNotice {
			n = strings.TrimSpace(string(r[:MaxNotice-1])) + "…"
		}
		return n
	}
	return ""
}

// FakeNotices is a NoticeBoard with fixed notices.
type FakeNotices struct {
	List []string
	Err  error
}

// Notices implements NoticeBoard.
func (f *FakeNotices) Notices(ctx context.Context) ([]string, error) { return f.List, f.Err }
