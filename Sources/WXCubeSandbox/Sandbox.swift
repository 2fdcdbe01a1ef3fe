import Hummingbird
import WXCube
// The simulated datacube API (issue 3) lives in this target.
