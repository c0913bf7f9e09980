package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// The store settings over the staff API (owner only, the service checks):
// one flat JSON object keyed by the setting names of models.SettingDefs,
// with typed values — booleans as JSON booleans, whole numbers as numbers,
// everything else as strings.

// staffGetSettings is GET /staff/settings.
func (a *API) staffGetSettings(c *gin.Context) {
	vals, err := a.svc.Settings(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, typedSettings(vals))
}

// staffPatchSettings is PATCH /staff/settings: the keys present change, all
// or nothing; a bad key or value is 400 naming the key.
func (a *API) staffPatchSettings(c *gin.Context) {
	body, err := readBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	changes, err := parseSettingsPatch(body)
	if err != nil {
		writeError(c, err)
		return
	}
	if _, err := a.svc.UpdateSettings(c.Request.Context(), actor(c), changes); err != nil {
		writeError(c, err)
		return
	}
	vals, err := a.svc.Settings(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, typedSettings(vals))
}

// parseSettingsPatch reads a settings PATCH body strictly (exact keys, no
// duplicates, valid UTF-8) into raw values as SettingDef.Parse reads them,
// checking each value's JSON type against its setting's kind.
func parseSettingsPatch(body []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := decodeBytes(body, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, models.Errorf(models.EINVALID, "request body must be a JSON object")
	}
	out := make(map[string]string, len(raw))
	for _, d := range models.SettingDefs() {
		v, ok := raw[d.Name]
		if !ok {
			continue
		}
		s, err := settingValue(d, v)
		if err != nil {
			return nil, err
		}
		out[d.Name] = s
	}
	for name := range raw {
		if _, ok := out[name]; !ok {
			if _, known := models.SettingDefByName(name); !known {
				return nil, models.Errorf(models.EINVALID, "%s: no such setting", strconv.Quote(name))
			}
		}
	}
	return out, nil
}

// settingValue checks one JSON value's type for its setting.
func settingValue(d models.SettingDef, v json.RawMessage) (string, error) {
	bad := func(want string) error { return models.Errorf(models.EINVALID, "%s: must be %s", d.Name, want) }
	v = bytes.TrimSpace(v)
	switch d.Kind {
	case models.KindBool:
		var b bool
		if json.Unmarshal(v, &b) != nil || (string(v) != "true" && string(v) != "false") {
			return "", bad("true or false")
		}
		return strconv.FormatBool(b), nil
	case models.KindInt:
		var n json.Number
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		if len(v) == 0 || v[0] == '"' || dec.Decode(&n) != nil {
			return "", bad("a whole number")
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || strconv.FormatInt(i, 10) != n.String() {
			return "", bad("a whole number")
		}
		return n.String(), nil
	default:
		var s string
		if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return "", bad("a string")
		}
		return s, nil
	}
}

// typedSettings gives each stored value its JSON type.
func typedSettings(vals map[string]string) map[string]any {
	out := make(map[string]any, len(vals))
	for _, d := range models.SettingDefs() {
		v := vals[d.Name]
		switch d.Kind {
		case models.KindBool:
			out[d.Name] = v == "true"
		case models.KindInt:
			n, _ := strconv.Atoi(v)
			out[d.Name] = n
		default:
			out[d.Name] = v
		}
	}
	return out
}
