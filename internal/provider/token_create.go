package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jenkins-access/terraform-provider-jenkins/internal/jenkins"
)

// settleGrace is how long a create that was sent to Jenkins keeps going after Terraform
// cancelled the run (Ctrl-C, a CI job stopped), and how long the revocation of a create whose
// answer never came may take. A create is one short script call: this is plenty, and it keeps
// an interrupted run from hanging.
const settleGrace = 30 * time.Second

// newToken is a token to create.
type newToken struct {
	userID, name, expirationDate string
	// defaultExpiryDays: with no expirationDate, expire this many days after Jenkins's today
	// where Jenkins has expiration dates (the ephemeral resource's safety net); 0: never.
	defaultExpiryDays int
	// value is the token value from the configuration (token_wo), or "" to draw one.
	value string
}

// createToken creates a token and settles it: once the request may have reached Jenkins, the
// token ends either in the answer (and so in the state) or revoked, never valid with a value
// that nobody holds. The request is a batch of the writes of the moment (tokenWriter), and each
// of these holds for every create in it.
//   - A cancellation (Ctrl-C) before the batch is sent creates nothing: the create is left out.
//   - After it is sent, the batch goes on despite the cancellation, for settleGrace at most after
//     its last member was cancelled: Terraform waits for operations in flight and records what
//     they return.
//   - A create that ends without a definite answer from Jenkins (cancelled after settleGrace,
//     connection lost, retries exhausted, an exception after the token was added) may have
//     made the token: it is revoked by its value and name, with a fresh context.
//
// The value comes from the provider, not from Jenkins, for that reason and so that a create
// retried after a lost answer finds the token it made instead of making a second one
// (DESIGN.md).
func (d *providerData) createToken(ctx context.Context, in newToken) (jenkins.Token, string, error) {
	value := in.value
	if value == "" {
		var err error
		if value, err = jenkins.NewTokenValue(); err != nil {
			return jenkins.Token{}, "", fmt.Errorf("drawing a token value: %w", err)
		}
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, value)
	interrupted := func(err error) error {
		return fmt.Errorf("the run was interrupted before the token was sent to Jenkins; nothing was created: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return jenkins.Token{}, "", interrupted(err)
	}
	// A value from the configuration (token_wo) may be another token's: another workspace given
	// the same value, whose token has the same name too. The create takes a token it finds with
	// the value for its own only on a retry, and the settlement revokes one, only if Jenkins made
	// it at or after notBefore, a point of Jenkins's clock taken here, before the first attempt
	// (from the last answer that told Jenkins's time, else one server_info call).
	// Exactly once: notBefore is at most Jenkins's clock when the first attempt is sent (the last
	// reported time plus the time passed here since its answer arrived), so a token that attempt
	// made is dated at or after it, and the retry adopts it (finding and adding are one step
	// under the store's lock, so a retry never adds a twin beside it). A token with the value
	// made before notBefore existed before this create was sent: another's, refused as
	// valueInUse, and never revoked by the settlement. Left open: another workspace's token made
	// inside the window between notBefore and the first attempt's arrival (the latency of the
	// answer notBefore came from, the batch window and this request's), or a Jenkins clock set
	// back within it. A value the provider draws is held by no other token: no bound, no extra
	// call.
	var notBefore int64
	if in.value != "" {
		var err error
		if notBefore, err = d.client.JenkinsNow(ctx); err != nil {
			return jenkins.Token{}, "", fmt.Errorf("reading Jenkins's clock before the create; nothing was created: %w", err)
		}
	}
	// Sent in a batch with the other writes of the moment (tokenWriter), under the write locks of
	// every user in it. Once sent, the batch goes on despite a cancellation, for settleGrace at
	// most: Terraform waits for operations in flight and records what they return.
	res, sent := d.tokenWriter().write(ctx, in.userID, jenkins.TokenWrite{Create: &jenkins.CreateTokenInput{
		UserID:                 in.userID,
		Name:                   in.name,
		Value:                  value,
		ExpirationDate:         in.expirationDate,
		DefaultExpiryDays:      in.defaultExpiryDays,
		CreateUserIfRealmKnows: true,
		CallerValue:            in.value != "",
		NotBefore:              notBefore,
	}}, settleGrace)
	if !sent {
		return jenkins.Token{}, "", interrupted(context.Cause(ctx))
	}
	tok, err := res.Token, res.Err
	d.reader.invalidate(in.userID, tok.UserID)
	if err == nil {
		return tok, value, nil
	}
	if !mayHaveCreated(err) {
		return jenkins.Token{}, "", err
	}
	return jenkins.Token{}, "", d.settleUnansweredCreate(ctx, in, value, notBefore, err)
}

// settleUnansweredCreate revokes the token a create may have made without its answer arriving,
// and returns the create's error with what became of the token. It looks twice, secondLookDelay
// apart: Jenkins runs a script to its end even when the caller is gone, so a create still queued
// there can finish after the first look.
func (d *providerData) settleUnansweredCreate(ctx context.Context, in newToken, value string, notBefore int64, createErr error) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleGrace)
	defer cancel()
	mayBeLeft := fmt.Sprintf("a token named %q of user %q may exist that no state holds. Revoke it on the user's security "+
		"page, or with jenkins_user_token_cleanup (name_regex)", in.name, in.userID)
	for look := 1; look <= 2; look++ {
		if look == 2 {
			t := time.NewTimer(secondLookDelay)
			select {
			case <-t.C:
			case <-rctx.Done():
				t.Stop()
				return fmt.Errorf("%w\n\nJenkins held no token from this create when the provider looked, and there was no "+
					"time to look again: %s", createErr, mayBeLeft)
			}
		}
		// In a batch too: the creates of an interrupted batch settle together, under the write
		// locks of their users.
		res, sent := d.tokenWriter().write(rctx, in.userID, jenkins.TokenWrite{RevokeByValue: &jenkins.TokenByValue{
			UserID: in.userID, Name: in.name, Value: value, NotBefore: notBefore}}, 0)
		uuid, err := res.RevokedUUID, res.Err
		if !sent {
			err = context.Cause(rctx)
		}
		d.reader.invalidate(in.userID)
		if err != nil {
			return fmt.Errorf("%w\n\nWhether Jenkins created the token is unknown, and looking for it failed (%v): %s",
				createErr, err, mayBeLeft)
		}
		if uuid != "" {
			tflog.Warn(ctx, "revoked a token with the value and name of a create whose answer never came", map[string]any{"user_id": in.userID, "uuid": uuid})
			// It cannot prove that this create made the token, only that Jenkins held one with
			// its value and name, made since the create was sent (or, for a value the provider
			// drew, at all: no other token holds it).
			return fmt.Errorf("%w\n\nThe answer never came, and Jenkins held a token with this value and name (%s) made "+
				"since the create was sent; it was revoked again. Apply again to create it", createErr, uuid)
		}
	}
	// Not "nothing was created": Jenkins runs a script to its end after its caller left, and one
	// still queued there (a busy controller) can add the token after the second look.
	return fmt.Errorf("%w\n\nJenkins held no token from this create when the provider looked, twice, %s apart; a create "+
		"still queued or running in Jenkins can add it later, so %s", createErr, secondLookDelay, mayBeLeft)
}

// secondLookDelay separates the two looks for the token of an unanswered create.
const secondLookDelay = 3 * time.Second

// mayHaveCreated reports whether a failed create may still have added the token: anything but
// an answer in which Jenkins refused it.
func mayHaveCreated(err error) bool {
	var (
		notFound *jenkins.UserNotFoundError
		unsup    *jenkins.UnsupportedError
		past     *jenkins.ExpirationInPastError
		inUse    *jenkins.TokenValueInUseError
		invalid  *jenkins.InvalidInputError
	)
	return !errors.As(err, &notFound) && !errors.As(err, &unsup) && !errors.As(err, &past) && !errors.As(err, &inUse) &&
		!errors.As(err, &invalid)
}
