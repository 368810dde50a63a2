-- The same Eskiz send every contender makes: POST /message/sms/send, form body, bearer token.
-- The token comes from the environment (ESKIZ_TOKEN), set by bench/wrk.js after a login.
wrk.method = "POST"
wrk.path = "/message/sms/send"
wrk.body = "mobile_phone=998901234567&message=Salom&from=4546"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ESKIZ_TOKEN")
