"""Printed by `make run` before the server starts: where to go and how to sign in."""

BANNER = """
  Baikal student tour bureau is starting on http://127.0.0.1:8000

    Site (Russian)      http://127.0.0.1:8000/
    Site (English)      http://127.0.0.1:8000/en/
    Shop catalogue      http://127.0.0.1:8000/shop/catalogue/
    Oscar dashboard     http://127.0.0.1:8000/shop/dashboard/
    Wagtail admin       http://127.0.0.1:8000/cms/
    Health check        http://127.0.0.1:8000/healthz

  Demo accounts (password for all: baikal-demo)
    admin@example.com      superuser: dashboard and Wagtail admin
    teacher@example.com    teacher
    student1@example.com   student (also student2, student3)
    tourist@example.com    customer

  Stop with Ctrl+C.
"""

if __name__ == "__main__":
    print(BANNER)
