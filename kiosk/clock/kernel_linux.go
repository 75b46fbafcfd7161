package clock

import "golang.org/x/sys/unix"

// kernelSynced asks adjtimex for the STA_UNSYNC flag, which the kernel clears
// once an NTP client (systemd-timesyncd, chrony) has disciplined the clock.
func kernelSynced() (synced, known bool) {
	var tx unix.Timex
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return false, false
	}
	if state == unix.TIME_ERROR || tx.Status&unix.STA_UNSYNC != 0 {
		return false, true
	}
	return true, true
}
