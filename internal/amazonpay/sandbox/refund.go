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
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleLocked(now)
	rf, e := s.refundLocked(sel, f["refundId"], f["chargeIdType"], f["chargeId"], amount, now)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	s.writeSigned(w, r, sel, http.StatusOK, s.wireRefund(rf))
}

// refundLocked records a Pending refund against one of sel's approved
// charges. The credit or balance the charge used comes back when the
// refund is approved (see settleLocked).
func (s *Simulator) refundLocked(sel *seller, id, chargeIDType, chargeID string, amount money.Paise, now time.Time) (*refund, *apiError) {
	if s.refunds[txnKey{sel.merchantID, id}] != nil {
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeDuplicateRefundID, "This refund id was already processed.")
	}
	c := s.findChargeLocked(sel, chargeIDType, chargeID)
	switch {
	case c == nil:
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeInvalidChargeID, "Specified charge id does not exist.")
	case c.status != amazonpay.StatusCaptureApproved:
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeChargeNotApproved, "The charge was not approved.")
	case amount > c.approved-c.refunded:
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeExcessRefundAmount, "The refund exceeds what can be refunded.")
	}
	c.refundSeq++
	c.refunded += amount
	rf := &refund{
		id: id, amazonID: fmt.Sprintf("%s-R%06d", c.amazonID, c.refundSeq*1000+randomDigits()%1000),
		charge: c, amount: amount, status: amazonpay.StatusPending,
		created: now, updated: now, resolveAt: now.Add(s.opts.RefundDelay), // settled by a later request, never in this answer
	}
	s.refunds[txnKey{sel.merchantID, id}] = rf
	return rf, nil
}

func (s *Simulator) refundStatus(w http.ResponseWriter, r *http.Request) {
	q, sel, e := s.statusQuery(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	if rf := s.findRefundLocked(sel, q.Get("txnIdType"), q.Get("txnId")); rf != nil {
		s.writeSigned(w, r, sel, http.StatusOK, s.wireRefund(rf))
		return
	}
	s.writeError(w, r, sel, errorf(http.StatusBadRequest, amazonpay.CodeInvalidRefundID, "Specified refund id does not exist."))
}

// findRefundLocked finds one of sel's refunds by the merchant's or
// Amazon's id.
func (s *Simulator) findRefundLocked(sel *seller, idType, id string) *refund {
	if idType != "AmazonTxnId" {
		return s.refunds[txnKey{sel.merchantID, id}]
	}
	for k, rf := range s.refunds {
		if k.merchantID == sel.merchantID && rf.amazonID == id {
			return rf
		}
	}
	return nil
}
