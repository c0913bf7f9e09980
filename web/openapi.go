package web

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// OpenAPIDocument is the OpenAPI 3 description of /api/v1, served at
// GET /api/v1/openapi.json. web/openapi_test.go checks that every route is
// described, that every described route exists, and that the tests'
// responses validate against it.
//
//go:embed openapi.json
var OpenAPIDocument []byte

func serveOpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json; charset=utf-8", OpenAPIDocument)
}

// Route is one method and path of the API, gin-style (":id").
type Route struct{ Method, Path string }

// Routes lists the API's routes, for the OpenAPI test.
func (a *API) Routes() []Route {
	var out []Route
	for _, r := range a.engine.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}
