package sandbox

import (
	"strings"

	"github.com/paypage/paypage/internal/money"
)

// Outcome is what happens to a persona's charge.
type Outcome int

// Charge outcomes.
const (
	Approve         Outcome = iota // CaptureApproved at once
	TwoFactor                      // CapturePending with an amazonPayUrl for an OTP
	Decline                        // Declined at once
	PendingApprove                 // CapturePending, approved PendingDelay later
	PendingFail                    // CapturePending, Failed PendingDelay later
	ServerErrorOnce                // made, but the first call for a chargeId answers 500
)

// Ineligibility codes and reasons the simulator uses. Amazon publishes the
// reason texts but not the codes.
const (
	CodeNotRegistered = "APL_NOT_REGISTERED"
	CodeKYCExpired    = "KYC_EXPIRED"
	CodeNotAvailable  = "APL_NOT_AVAILABLE_FOR_TRANSACTION"

	ReasonNotRegistered = "You have not registered for Amazon Pay Later. Complete registration in the Amazon app."
	ReasonKYCExpired    = "Your KYC has expired. Update it in the Amazon app to use Amazon Pay Later."
	ReasonNotAvailable  = "Amazon Pay Later is not available for this transaction."
	ReasonNonKYC        = "Your Amazon Pay account has no KYC. Complete KYC in the Amazon app to pay from your balance."
)

// Persona is a scripted sandbox customer, chosen by phone number.
type Persona struct {
	Phone       string // 10 digits; empty for the default persona
	Name        string
	Description string
	Credit      money.Paise // starting Amazon Pay Later credit
	Ineligible  string      // an ineligibility code, or "" when registered and KYC-valid
	Outcome     Outcome     // what Amazon does with a charge the funds cover
	Balance     money.Paise // starting Amazon Pay balance
	// NonKYC marks an Amazon Pay account without KYC: its balance is shown
	// disabled and balance charges are refused with NonKYCAccount.
	NonKYC bool
}

// defaultBalance is the Amazon Pay balance of every persona that does not
// set its own (DESIGN.md section 4: "any other ... balance 1,000.00").
const defaultBalance money.Paise = 1_000_00

var personas = []Persona{
	{Phone: "9000000001", Name: "Asha (approved)", Description: "Eligible, credit ₹50,000.00, charges approved at once.", Credit: 50_000_00, Balance: defaultBalance},
	{Phone: "9000000002", Name: "Bharat (low credit)", Description: "Eligible, credit ₹1,000.00; larger amounts are not eligible.", Credit: 1_000_00, Balance: defaultBalance},
	{Phone: "9000000003", Name: "Chitra (not registered)", Description: "Not registered for Amazon Pay Later.", Ineligible: CodeNotRegistered, Balance: defaultBalance},
	{Phone: "9000000004", Name: "Dev (KYC expired)", Description: "KYC expired; not eligible.", Credit: 10_000_00, Ineligible: CodeKYCExpired, Balance: defaultBalance},
	{Phone: "9000000005", Name: "Esha (2FA)", Description: "Eligible; each Pay Later charge needs an OTP on Amazon's page (123456 passes, 999999 fails).", Credit: 10_000_00, Outcome: TwoFactor, Balance: defaultBalance},
	{Phone: "9000000006", Name: "Farhan (declined)", Description: "Eligible; charges are declined.", Credit: 10_000_00, Outcome: Decline, Balance: defaultBalance},
	{Phone: "9000000007", Name: "Gita (pending, approved)", Description: "Eligible; charges stay pending, then are approved.", Credit: 10_000_00, Outcome: PendingApprove, Balance: defaultBalance},
	{Phone: "9000000008", Name: "Hari (pending, failed)", Description: "Eligible; charges stay pending, then fail.", Credit: 10_000_00, Outcome: PendingFail, Balance: defaultBalance},
	{Phone: "9000000009", Name: "Indu (server error)", Description: "Eligible; the first charge call for each chargeId answers HTTP 500 after charging.", Credit: 10_000_00, Outcome: ServerErrorOnce, Balance: defaultBalance},
	{Phone: "9000000010", Name: "Jaya (balance rich)", Description: "Amazon Pay balance ₹1,00,000.00; not registered for Amazon Pay Later.", Ineligible: CodeNotRegistered, Balance: 1_00_000_00},
	{Phone: "9000000011", Name: "Kabir (low balance)", Description: "Amazon Pay balance ₹100.00: a larger balance charge goes to Amazon's top-up page. Pay Later credit ₹10,000.00.", Credit: 10_000_00, Balance: 100_00},
	{Phone: "9000000012", Name: "Lata (no KYC)", Description: "Amazon Pay balance ₹0.00 and no KYC: balance charges are refused (NonKYCAccount); not registered for Amazon Pay Later.", Ineligible: CodeNotRegistered, NonKYC: true},
}

var defaultPersona = Persona{Name: "Sandbox shopper", Description: "Eligible, credit ₹10,000.00, balance ₹1,000.00, charges approved at once.", Credit: 10_000_00, Balance: defaultBalance}

// Personas lists the scripted personas, followed by the default one (with
// an empty Phone) that every other number gets.
func Personas() []Persona {
	return append(append([]Persona(nil), personas...), defaultPersona)
}

// PersonaFor returns the persona for a phone number in any accepted form.
func PersonaFor(phone string) Persona {
	p := NormalizePhone(phone)
	for _, persona := range personas {
		if persona.Phone == p {
			return persona
		}
	}
	d := defaultPersona
	d.Phone = p
	return d
}

// NormalizePhone reduces "+91 90000 00001", "919000000001" and the like to
// ten digits. Input that does not reduce to ten digits is returned with only
// its digits.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 12 && strings.HasPrefix(d, "91") {
		d = d[2:]
	}
	if len(d) == 11 && d[0] == '0' {
		d = d[1:]
	}
	return d
}

func validPhone(p string) bool { return len(p) == 10 && p[0] >= '6' }

func (p Persona) reason() string {
	switch p.Ineligible {
	case CodeNotRegistered:
		return ReasonNotRegistered
	case CodeKYCExpired:
		return ReasonKYCExpired
	case CodeNotAvailable:
		return ReasonNotAvailable
	}
	return ""
}
