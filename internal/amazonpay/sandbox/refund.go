package sandbox

import (
	"fmt"
	"net/http"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/money"
)

type wireRefund struct {
	MerchantID     string `json:"merchantId"`
	RefundID       string `json:"refundId"`
	AmazonRefundID string `json:"amazonRefundId"`
	ChargeID       string `json:"chargeId"`
	AmazonChargeID string `json:"amazonChargeId"`
	Amount         string `json:"amount"`
	RefundedFee    string `json:"refundedFee"`
	CurrencyCode   string `json:"currencyCode"`
	Status         string `json:"status"`
	CreateTime     string `json:"createTime"`
	UpdateTime     string `json:"updateTime"`
}

func (s *Simulator) wireRefund(rf *refund) wireRefund {
	c := rf.charge
	return wireRefund{
		MerchantID: c.merchantID, RefundID: rf.id, AmazonRefundID: rf.amazonID, ChargeID: c.id,
		AmazonChargeID: c.amazonID, Amount: rf.amount.String(), RefundedFee: "0.00", CurrencyCode: "INR",
		Status: string(rf.status), CreateTime: rf.created.Format(timeLayout), UpdateTime: rf.updated.Format(timeLayout),
	}
}

func (s *Simulator) createRefund(w http.ResponseWriter, r *http.Request) {
	body, sel, e := s.authenticate(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	f, e := decodeBody(body)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	if e := s.checkMerchant(sel, f["merchantId"]); e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	amount, err := money.Parse(f["amount"])
	switch {
	case err != nil || amount < 1:
		e = invalidArg("amount must be at least 0.01 with at most 2 decimals.")
	case f["currencyCode"] != "INR":
		e = invalidArg("currencyCode must be INR.")
	case !refundIDPattern.MatchString(f["refundId"]):
		e = errorf(http.StatusBadRequest, amazonpay.CodeInvalidRefundID, "refundId must be 1 to 32 characters from [A-Za-z0-9_-].")
	case f["chargeIdType"] != "MerchantTxnId" && f["chargeIdType"] != "AmazonTxnId":
		e = invalidArg("chargeIdType must be MerchantTxnId or AmazonTxnId.")
	case len(f["noteToCustomer"]) > 200 || len(f["softDescriptor"]) > 200:
		e = invalidArg("noteToCustomer or softDescriptor is too long.")
	}
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	var rf *refund
	if err := s.change(r.Context(), func(t *txn) {
		t.lockID("refund", sel.merchantID, f["refundId"])
		if c := t.findCharge(sel, f["chargeIdType"], f["chargeId"]); c != nil {
			t.lockAccount(c.phone)
		}
		rf, e = t.refund(sel, f["refundId"], f["chargeIdType"], f["chargeId"], amount)
	}); err != nil {
		e = internalError()
	}
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	s.writeSigned(w, r, sel, http.StatusOK, s.wireRefund(rf))
}

// refund records a Pending refund against one of sel's approved charges,
// once per seller and refundId. The credit or balance the charge used
// comes back when the refund is approved (see settle).
func (t *txn) refund(sel *seller, id, chargeIDType, chargeID string, amount money.Paise) (*refund, *apiError) {
	if t.refundWhere(`merchant_id = $1 AND refund_id = $2`, sel.merchantID, id) != nil {
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeDuplicateRefundID, "This refund id was already processed.")
	}
	c := t.findCharge(sel, chargeIDType, chargeID)
	switch {
	case t.err != nil:
		return nil, nil
	case c == nil:
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeInvalidChargeID, "Specified charge id does not exist.")
	case c.status != amazonpay.StatusCaptureApproved:
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeChargeNotApproved, "The charge was not approved.")
	case amount > c.approved-c.refunded:
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeExcessRefundAmount, "The refund exceeds what can be refunded.")
	}
	now := t.now
	c.refundSeq++
	c.refunded += amount
	t.saveCharge(c)
	rf := &refund{
		id: id, amazonID: fmt.Sprintf("%s-R%06d", c.amazonID, c.refundSeq*1000+randomDigits()%1000),
		charge: c, amount: amount, status: amazonpay.StatusPending,
		created: now, updated: now, resolveAt: now.Add(t.s.opts.RefundDelay), // settled by a later request, never in this answer
	}
	t.insertRefund(rf)
	return rf, nil
}

func (s *Simulator) refundStatus(w http.ResponseWriter, r *http.Request) {
	q, sel, e := s.statusQuery(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	var rf *refund
	find := func(t *txn) { rf = t.findRefund(sel, q.Get("txnIdType"), q.Get("txnId")) }
	err := s.read(r.Context(), find)
	if phone := duePhone(nil, rf, s.now()); err == nil && phone != "" {
		err = s.change(r.Context(), func(t *txn) {
			t.lockAccount(phone)
			find(t)
		})
	}
	switch {
	case err != nil:
		s.writeError(w, r, sel, internalError())
	case rf != nil:
		s.writeSigned(w, r, sel, http.StatusOK, s.wireRefund(rf))
	default:
		s.writeError(w, r, sel, errorf(http.StatusBadRequest, amazonpay.CodeInvalidRefundID, "Specified refund id does not exist."))
	}
}

// findRefund finds one of sel's refunds by the merchant's or Amazon's id.
func (t *txn) findRefund(sel *seller, idType, id string) *refund {
	if idType != "AmazonTxnId" {
		return t.refundWhere(`merchant_id = $1 AND refund_id = $2`, sel.merchantID, id)
	}
	return t.refundWhere(`merchant_id = $1 AND amazon_id = $2`, sel.merchantID, id)
}

// duePhone is the account a status read must settle before it answers:
// that of charge c or refund rf when it is due to settle, or "".
func duePhone(c *charge, rf *refund, now time.Time) string {
	switch {
	case c != nil && dueCharge(c, now):
		return c.phone
	case rf != nil && dueRefund(rf, now):
		return rf.charge.phone
	}
	return ""
}
