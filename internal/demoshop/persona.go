package demoshop

// persona is one of the Amazon Pay sandbox's scripted shoppers, chosen by
// phone number (DESIGN.md section 4). The shop lists them so a person can
// pick an outcome without remembering the numbers.
type persona struct {
	Phone       string
	Description string
}

// personas mirrors DESIGN.md section 4. It is copied, not imported from the
// simulator, because the shop knows paypage only as an outsider would.
var personas = []persona{
	{"9000000001", "eligible, credit 50,000.00, charge approved at once"},
	{"9000000002", "eligible, credit 1,000.00; amounts above it are not eligible"},
	{"9000000003", "not registered for Pay Later (not eligible)"},
	{"9000000004", "KYC expired (not eligible)"},
	{"9000000005", "charge needs 2FA: OTP 123456 passes, 999999 fails"},
	{"9000000006", "eligible; charge declined"},
	{"9000000007", "eligible; charge pending, approved 20 s later"},
	{"9000000008", "eligible; charge pending, fails 20 s later"},
	{"9000000009", "eligible; first charge call returns HTTP 500 after charging"},
	{"9000000010", "Amazon Pay balance 1,00,000.00; not registered for Pay Later"},
	{"9000000011", "balance 100.00: a larger charge goes through Amazon's top-up page"},
	{"9000000012", "balance 0.00, not KYC'd: balance charge refused"},
	{"9876543210", "any other number: eligible, credit 10,000.00, approved at once"},
}

// defaultPhone is the persona preselected on the cart page.
const defaultPhone = "9000000001"

// customerIDFor derives a stable customer id from the phone, so the same
// persona comes back as the same (possibly already linked) customer.
func customerIDFor(phone string) string {
	if phone == "" {
		return "cust-guest"
	}
	return "cust-" + phone
}
