"""Survey delivery channels: email, SMS, QR codes and the website widget (issue 4)."""
