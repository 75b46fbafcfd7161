package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Records configures facilitation records and the monitoring export.
type Records struct {
	// The facilitation point's ID as registered on the national monitoring platform (IDSede).
	SiteID string `toml:"site_id"`
	// The facilitation point's name as registered nationally (NominativoSede).
	SiteName string `toml:"site_name"`
	// The hub's export public key (base64, 32-byte X25519) that personal data is sealed to. Empty: use the local export key (export_key_file), created with 'officina export setup'.
	ExportPublicKey string `toml:"export_public_key"`
	// Local export key file for a kiosk with no hub; "" means <data_dir>/export-key.json.
	ExportKeyFile string `toml:"export_key_file"`
	// File holding the deployment secret that keys citizen pseudonyms; "" means <data_dir>/citizen-secret.key, created at first start. Every kiosk of a deployment must share it for unique citizens to count once.
	SecretFile string `toml:"secret_file"`
	// Version label of the privacy notice in force; a citizen acknowledges each version once.
	PrivacyNotice string `toml:"privacy_notice"`
	// Whether the programme admits citizens aged 14-17 (age band E).
	MinorsAllowed bool `toml:"minors_allowed"`
	// Time zone of service dates and ticket days.
	TimeZone string `toml:"time_zone"`
}

func defaultRecords() Records {
	return Records{PrivacyNotice: "2026-01", TimeZone: "Europe/Rome"}
}

func (x Records) validate() []error {
	var errs []error
	if x.ExportPublicKey != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(x.ExportPublicKey))
		if err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("records.export_public_key: want the hub's 32-byte X25519 key in base64"))
		}
	}
	if strings.TrimSpace(x.PrivacyNotice) == "" {
		errs = append(errs, errors.New("records.privacy_notice: must name the privacy notice version, e.g. \"2026-01\""))
	}
	for k, v := range map[string]string{"site_id": x.SiteID, "site_name": x.SiteName} {
		if strings.ContainsAny(v, "\"\r\n") {
			errs = append(errs, fmt.Errorf("records.%s: cannot contain double quotes or line breaks", k))
		}
	}
	return errs
}
