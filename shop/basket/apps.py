import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    name = "shop.basket"

    def ready(self):
        super().ready()
        from shop.basket.summary import connect_basket_signals

        connect_basket_signals()
