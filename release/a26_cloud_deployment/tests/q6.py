from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_lambda_handler", points=1, hidden=False)
def test_lambda_handler(export_model, lambda_handler, sqs_batch_handler):
    import json
    import os
    import tempfile

    import numpy as np

    r = np.random.default_rng(0)
    os.environ["MODEL_DIR"] = export_model([r.normal(size=(8, 4)), np.zeros(4), r.normal(size=(4, 3)),
                                            np.zeros(3)], tempfile.mkdtemp() + "/m")

    class Context:
        aws_request_id, function_name = "req-1", "predict"

        def get_remaining_time_in_millis(self):
            return 5000

    event = {"version": "2.0", "body": json.dumps({"instances": r.normal(size=(2, 8)).tolist()}),
             "isBase64Encoded": False}
    response = lambda_handler(event, Context())
    assert response["statusCode"] == 200, response
    assert len(json.loads(response["body"])["predictions"]) == 2
    assert lambda_handler({"body": "{", "isBase64Encoded": False}, Context())["statusCode"] == 400
    failed = sqs_batch_handler({"Records": [{"messageId": "m1", "body": "[]"}, {"messageId": "m2",
                                "body": event["body"]}]}, Context())
    assert failed == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
