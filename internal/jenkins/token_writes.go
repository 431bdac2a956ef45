package jenkins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// TokenWrite is one write of a WriteTokens batch: exactly one of Create, Rename, Revoke and
// RevokeByValue.
type TokenWrite struct {
	Create *CreateTokenInput
	Rename *TokenRename
	// Revoke names the token to revoke (Legacy and Name are not used: a managed token is never
	// a legacy one).
	Revoke *TokenRef
	// RevokeByValue settles a create whose answer never came (RevokeTokenByValue).
	RevokeByValue *TokenByValue
}

// TokenByValue names a token by its user, name and value, made at or after NotBefore (see
// RevokeTokenByValue).
type TokenByValue struct {
	UserID, Name, Value string
	NotBefore           int64
}

// TokenRename renames UUID of UserID to Name.
type TokenRename struct {
	UserID, UUID, Name string
}

// TokenWriteResult is the outcome of one TokenWrite. Err is what the single call (CreateToken,
// RenameToken, RevokeToken) would have returned: Jenkins's refusal of this write, the exception
// it alone met, or, for a write Jenkins did not answer for, the failure of the call that carried
// it (which may have run it).
type TokenWriteResult struct {
	Token   Token        // Create, Rename
	Revoked RevokedToken // Revoke
	// RevokedUUID: the token RevokeByValue revoked, "" when there was none.
	RevokedUUID string
	Err         error
}

// WriteTokens makes many token writes in one script call (write_tokens.groovy) and returns one
// result per write, in order: the creates, renames and revocations Terraform runs concurrently
// cost one Groovy compile on the controller instead of one each. Each write follows the rules
// of its single call (CreateToken, RenameToken, RevokeToken, RevokeTokenByValue) and is as safe
// to repeat; a write Jenkins refuses, or that fails there, fails alone.
//
// It is a walk (walk.go): one call works to the time budget and answers for the writes it did,
// and the rest go in the next call. A call cut off before its answer is sent again from the same
// position, telling the script it is a retry (a create then takes the token it finds with its
// value for its own, under CreateToken's rules). The values of the tokens to create travel in a
// form field, never in the script text.
//
// The caller holds the write locks of every user in writes: Jenkins saves a user's record
// without the token store's lock, so two calls writing one user at once can fail.
func (c *Client) WriteTokens(ctx context.Context, writes []TokenWrite) []TokenWriteResult {
	res := make([]TokenWriteResult, len(writes))
	ops := make([]map[string]any, 0, len(writes))
	values := make([]string, 0, len(writes)) // of ops, "" for a write that is not a create
	at := make([]int, 0, len(writes))        // the index in writes of each op
	for i, w := range writes {
		var op map[string]any
		switch {
		case w.Create != nil:
			if err := w.Create.validate(); err != nil {
				res[i].Err = err
				continue
			}
			c.masker.add(w.Create.Value, w.Create.Value[2:])
			op = w.Create.params()
			op["op"] = "create"
		case w.Rename != nil:
			op = map[string]any{"op": "rename", "userId": w.Rename.UserID, "uuid": w.Rename.UUID, "name": w.Rename.Name}
		case w.Revoke != nil && w.Revoke.UserID != "" && w.Revoke.UUID != "":
			op = map[string]any{"op": "revoke", "userId": w.Revoke.UserID, "uuid": w.Revoke.UUID}
		case w.RevokeByValue != nil:
			v := w.RevokeByValue
			if err := ValidateTokenValue(v.Value); err != nil {
				res[i].Err = &InvalidInputError{Err: err}
				continue
			}
			c.masker.add(v.Value, v.Value[2:])
			op = map[string]any{"op": "revokeByValue", "userId": v.UserID, "name": v.Name, "hash": credentialHash(v.Value),
				"notBefore": emptyZero64(v.NotBefore)}
		default:
			res[i].Err = &InvalidInputError{Err: errors.New("a token write needs a create, a rename, or a revocation naming a user and a token UUID")}
			continue
		}
		ops = append(ops, op)
		at = append(at, i)
		if w.Create != nil {
			values = append(values, w.Create.Value)
		} else {
			values = append(values, "")
		}
	}

	w := c.newWalk("write_tokens")
	w.tellRetries = true
	done := 0
	fail := func(err error) []TokenWriteResult {
		for _, i := range at[done:] {
			res[i].Err = err
			if create := writes[i].Create; create != nil {
				res[i].Err = create.refusal(err)
			}
		}
		return res
	}
	for done < len(ops) {
		rest := ops[done:]
		// The values of this call's creates, numbered in the order sent.
		var sent []string
		for j, op := range rest {
			if op["op"] == "create" {
				op["value"] = len(sent)
				sent = append(sent, values[done+j])
			}
		}
		var fields scriptFields
		if len(sent) > 0 {
			fields = scriptFields{tokenValuesField: strings.Join(sent, ",")}
		}
		var out struct {
			Results []struct {
				OK *struct {
					Token   *tokenRow       `json:"token"`
					Revoked json.RawMessage `json:"revoked"`
				} `json:"ok"`
				Error *scriptFailure `json:"error"`
			} `json:"results"`
			Info *ServerInfo `json:"info"`
		}
		if err := w.callWith(ctx, map[string]any{"ops": rest}, fields, &out); err != nil {
			return fail(err)
		}
		c.info.remember(out.Info)
		if len(out.Results) == 0 || len(out.Results) > len(rest) {
			return fail(&ScriptError{Script: "write_tokens", Exception: fmt.Sprintf("answered for %d of %d token writes", len(out.Results), len(rest))})
		}
		for _, r := range out.Results {
			i := at[done]
			write := writes[i]
			switch {
			case r.Error != nil:
				res[i].Err = c.writeFailure(r.Error)
				if write.Create != nil {
					res[i].Err = write.Create.refusal(res[i].Err)
				}
			case r.OK != nil && write.Revoke != nil:
				var row []json.RawMessage
				err := json.Unmarshal(r.OK.Revoked, &row)
				var rt RevokedToken
				if err == nil {
					rt, err = revokedRow(row)
				}
				if err == nil && rt.RequestedUUID != write.Revoke.UUID {
					err = fmt.Errorf("answered for token %s in the place of %s", rt.RequestedUUID, write.Revoke.UUID)
				}
				if err != nil {
					return fail(&ScriptError{Script: "write_tokens", Exception: err.Error()})
				}
				res[i].Revoked, res[i].Err = rt, rt.problem("write_tokens", write.Revoke.UserID)
			case r.OK != nil && write.RevokeByValue != nil:
				var uuid *string
				if err := json.Unmarshal(r.OK.Revoked, &uuid); err != nil {
					return fail(&ScriptError{Script: "write_tokens", Exception: "unexpected result shape: " + err.Error()})
				}
				res[i].RevokedUUID = deref(uuid)
			case r.OK != nil && r.OK.Token != nil:
				res[i].Token = Token(*r.OK.Token)
			default:
				return fail(&ScriptError{Script: "write_tokens", Exception: "unexpected result shape"})
			}
			done++
		}
		w.progress(ctx, "token writes", done, len(ops), done == len(ops))
	}
	return res
}

// writeFailure is the error of one write that Jenkins refused (an error object, as the single
// scripts print) or that met an exception there, shown as the single script's stack trace would
// show it (exceptionLine).
func (c *Client) writeFailure(f *scriptFailure) error {
	if f.Type != "exception" {
		return c.scriptFailureError("write_tokens", f)
	}
	msg := c.masker.mask(f.Message)
	if exceptionRE.MatchString(msg) {
		msg = exceptionLine(msg)
	}
	return &ScriptError{Script: "write_tokens", Exception: msg}
}
