// Package e2e holds likelab's browser end-to-end tests. They build the site into a
// temporary folder (make site), serve it with the real serve.go on 127.0.0.1, drive
// headless Chromium through chromedp, and check what a person would see: training
// makes progress, the URL hash reconfigures the scene, bad settings show a message,
// the canvas is not blank and frames keep coming while training.
//
// Every test also fails if the page requests anything from a host other than the
// test server, writes an error to the console or throws an uncaught exception.
//
// Chromium is found through $CHROMIUM, /usr/bin/chromium or chromium-browser on the
// PATH. Without it the tests skip, except when CI=true, where they fail. Screenshots
// go to $LIKELAB_SCREENSHOTS (default: a likelab-screens folder in the temporary
// directory).
//
// The package has no non-test code: everything lives in its _test.go files.
package e2e
