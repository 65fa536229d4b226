"""JSON Schemas of the platforms' documented result files, written from their specifications:

* Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format");
* PrairieLearn: https://prairielearn.readthedocs.io/en/latest/externalGrading/ ("Grading
  results").
"""

GRADESCOPE_VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}

GRADESCOPE = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "integer", "minimum": 0},
        "output": {"type": "string"},
        "output_format": GRADESCOPE_FORMAT,
        "test_output_format": GRADESCOPE_FORMAT,
        "test_name_format": GRADESCOPE_FORMAT,
        "visibility": GRADESCOPE_VISIBILITY,
        "stdout_visibility": GRADESCOPE_VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"}, "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "name": {"type": "string"}, "name_format": GRADESCOPE_FORMAT,
                "number": {"type": "string"}, "output": {"type": "string"},
                "output_format": GRADESCOPE_FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": GRADESCOPE_VISIBILITY, "extra_data": {"type": "object"}}}},
    },
}

# What the issue asks of each test on top of the specification (every field present).
GRADESCOPE_TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output",
                          "output_format", "visibility"}

PL_IMAGE = {"type": "object", "required": ["label", "url"], "additionalProperties": False,
            "properties": {"label": {"type": "string"},
                           "url": {"type": "string", "pattern": "^data:image/"}}}

PRAIRIELEARN = {
    "type": "object",
    "required": ["gradable", "score"],
    "properties": {
        "gradable": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"},
        "output": {"type": "string"},
        "images": {"type": "array", "items": PL_IMAGE},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "points", "max_points"],
            "properties": {
                "name": {"type": "string"}, "description": {"type": "string"},
                "points": {"type": "number", "minimum": 0},
                "max_points": {"type": "number", "minimum": 0},
                "message": {"type": "string"}, "output": {"type": "string"},
                "images": {"type": "array", "items": PL_IMAGE}}}},
    },
}
