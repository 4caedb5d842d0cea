// The page an account that requires a second factor sends a person to: set it up, then continue.
import "./enrol.js";

document.body.dataset.ready = "true";
