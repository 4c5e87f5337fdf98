package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/checkout"
)

// brandFlags are the flags create and update share for what shoppers see:
// the display name (--name, or its synonym --display-name), the logo, the
// brand colour and the support contacts.
type brandFlags struct {
	name, displayName                       string
	logo, color, supportEmail, supportPhone string
	removeLogo                              bool
}

func addBrandFlags(fs *flag.FlagSet, update bool) *brandFlags {
	b := &brandFlags{}
	fs.StringVar(&b.name, "name", "", "display name shown to shoppers (same as --display-name)")
	fs.StringVar(&b.displayName, "display-name", "", "display name shown to shoppers (same as --name)")
	logoHelp := "logo `FILE`: PNG, JPEG or WebP, at most 64 KB and 1024x1024 pixels"
	if update {
		logoHelp += ` (empty: remove it)`
		fs.BoolVar(&b.removeLogo, "remove-logo", false, "remove the logo")
	}
	fs.StringVar(&b.logo, "logo", "", logoHelp)
	colorHelp := "colour `HEX` (#RRGGBB) of the buttons and accent; white text on it must have contrast of at least 4.5:1"
	if update {
		colorHelp += " (empty: paypage's own)"
	}
	fs.StringVar(&b.color, "brand-color", "", colorHelp)
	fs.StringVar(&b.supportEmail, "support-email", "", "support email address shown when a payment fails"+emptyClears(update))
	fs.StringVar(&b.supportPhone, "support-phone", "", "support phone number shown when a payment fails"+emptyClears(update))
	return b
}

func emptyClears(update bool) string {
	if update {
		return " (empty: none)"
	}
	return ""
}

// displayNameOf returns the name given by --name or --display-name, which
// name one setting; given both, they must agree.
func (b *brandFlags) displayNameOf(set map[string]bool) (string, error) {
	switch {
	case set["name"] && set["display-name"] && b.name != b.displayName:
		return "", errors.New("--name and --display-name set the same display name; give one")
	case set["display-name"]:
		return b.displayName, nil
	}
	return b.name, nil
}

// readLogo reads the logo file at path, refusing one larger than a logo
// may be before reading it all.
func readLogo(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--logo: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, brand.MaxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("--logo: %w", err)
	}
	if len(data) > brand.MaxLogoBytes {
		return nil, fmt.Errorf("--logo: %s is larger than 64 KB; at most %d bytes allowed", path, brand.MaxLogoBytes)
	}
	return data, nil
}

// applyCreate puts the flags into nm.
func (b *brandFlags) applyCreate(fs *flag.FlagSet, nm *checkout.NewMerchant) error {
	var err error
	if nm.Name, err = b.displayNameOf(visited(fs)); err != nil {
		return err
	}
	nm.BrandColor, nm.SupportEmail, nm.SupportPhone = b.color, b.supportEmail, b.supportPhone
	if b.logo != "" {
		if nm.Logo, err = readLogo(b.logo); err != nil {
			return err
		}
	}
	return nil
}

// applyUpdate puts the flags given (set, see visited) into u.
func (b *brandFlags) applyUpdate(set map[string]bool, u *checkout.MerchantUpdate) error {
	if set["name"] || set["display-name"] {
		name, err := b.displayNameOf(set)
		if err != nil {
			return err
		}
		u.Name = &name
	}
	if set["brand-color"] {
		u.BrandColor = &b.color
	}
	if set["support-email"] {
		u.SupportEmail = &b.supportEmail
	}
	if set["support-phone"] {
		u.SupportPhone = &b.supportPhone
	}
	switch {
	case b.removeLogo && set["logo"] && b.logo != "":
		return errors.New("--logo FILE and --remove-logo contradict each other; give one")
	case b.removeLogo || set["logo"] && b.logo == "":
		none := []byte{}
		u.Logo = &none
	case set["logo"]:
		data, err := readLogo(b.logo)
		if err != nil {
			return err
		}
		u.Logo = &data
	}
	return nil
}

// visited names the flags given on the command line.
func visited(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
