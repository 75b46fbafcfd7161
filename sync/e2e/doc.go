// Package e2e holds the end-to-end test of sync: one hub and three kiosks
// on loopback, with a sibling relaying for a kiosk without uplink, content
// copied between siblings, a corrupt sibling, a kiosk of another
// deployment, a network that loses answers and an hour-long hub outage.
// The hub and kiosk crash faults (SIGKILL mid-upload) are in sync/client's
// crash tests. It has no code of its own.
package e2e
