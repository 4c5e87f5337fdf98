package amazonpay

import "github.com/paypage/paypage/internal/checkout"

// Outcomes, as the table below spells them.
const (
	oU = checkout.OutcomeUnknown
	oD = checkout.OutcomeDeclined
	oX = checkout.OutcomeRejected
	oN = checkout.OutcomeNotFound
)

// Outcomes decides every documented Amazon Pay error code
// (reference/amazonpay-india-api.md section 10) for each call, in the
// order charge, charge status, refund, refund status; checkout treats a
// missing code, a 429, a 5xx and every unverified answer as Unknown, and
// never lets a status read fail anything.
//
// On a charge, Declined rows are Amazon's final refusals, and Rejected rows
// refuse the request before any decision; either way nothing was charged
// (the attempt stays watched until a status read agrees). Duplicate ids
// are resolved by the client with a status read; reaching here means that
// read gave no answer. AuthorizationExpired (clock skew),
// AuthorizationFailed (a bad signature) and InternalServerError mean Amazon
// did not process the request. InvalidAccessToken on a charge means the
// link does not work for the charge's instrument (revoked, or a
// balance-only token used for Pay Later): the customer links again for
// that method. Both Amazon Pay methods use this table.
var Outcomes = checkout.OutcomeTable{
	Codes: map[string][4]checkout.Outcome{
		//                                  charge status refund status
		CodeInvalidArguments:      {oX, oU, oX, oU},
		CodeInvalidMerchantID:     {oX, oU, oX, oU},
		CodeInvalidChargeID:       {oX, oN, oD, oU},
		CodeInvalidRefundID:       {oU, oU, oX, oN},
		CodeInvalidCallbackURL:    {oX, oU, oU, oU},
		CodeNonKYCAccount:         {oD, oU, oU, oU},
		CodeInsufficientFunds:     {oD, oU, oU, oU},
		CodeInsufficientLoadLimit: {oD, oU, oU, oU},
		CodeDuplicateChargeID:     {oU, oU, oU, oU},
		CodeDuplicateRefundID:     {oU, oU, oU, oU},
		CodeExcessRefundAmount:    {oU, oU, oD, oU},
		CodeChargeNotApproved:     {oD, oU, oD, oU},
		CodeAuthorizationExpired:  {oU, oU, oU, oU},
		CodeAuthorizationFailed:   {oU, oU, oU, oU},
		CodeInvalidAccessToken:    {oX, oU, oU, oU},
		CodeInternalServerError:   {oU, oU, oU, oU},
	},
	Relink: map[string]bool{CodeInvalidAccessToken: true},
	// A balance charge whose top-up the customer did not finish is
	// declined InsufficientFunds: paying again may top up this time.
	SoftDeclines: map[string]bool{CodeInsufficientFunds: true},
}
