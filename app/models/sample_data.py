"""Load a small, realistic dataset into the configured storage engine.

    python3 -m models.sample_data      # from app/, with the HBNB_* settings
    flask --app api.v1.app load-sample-data

Every object has a fixed id derived from its natural key, so running the
command again creates only what is missing and never duplicates or changes
what exists: safe for every deployment run.
"""
import secrets
import sys
import uuid

import models
from models.amenity import Amenity
from models.city import City
from models.place import Place
from models.review import Review
from models.state import State
from models.user import User

NAMESPACE = uuid.UUID("5d1c8a4e-2b0f-4c55-9a57-8f1c3a0e7b21")

STATES = {
    "Alabama": ["Birmingham", "Mobile"],
    "Arizona": ["Phoenix", "Tucson", "Sedona"],
    "California": ["San Francisco", "Los Angeles", "San Diego", "Fremont"],
    "Colorado": ["Denver", "Boulder"],
    "Florida": ["Miami", "Orlando"],
    "Georgia": [],
    "Hawaii": ["Honolulu", "Hilo"],
    "Illinois": ["Chicago", "Naperville", "Urbana"],
    "Louisiana": ["New Orleans", "Baton Rouge"],
    "New York": ["New York", "Buffalo"],
    "Oregon": ["Portland", "Bend"],
    "Texas": ["Austin", "Houston"],
}

AMENITIES = ["Wifi", "Cable TV", "Kitchen", "Free parking", "Pool",
             "Air conditioning", "Heating", "Washer", "Dryer",
             "Pets allowed", "Hot tub", "Breakfast"]

USERS = [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"),
         ("Linus", "Torvalds"), ("Margaret", "Hamilton"), ("Ken", "Thompson"),
         ("Barbara", "Liskov"), ("Dennis", "Ritchie"), ("Frances", "Allen"),
         ("John", "McCarthy"), ("Radia", "Perlman"), ("Guido", "van Rossum")]

# name, city, owner index, rooms, bathrooms, guests, price, amenities
PLACES = [
    ("Golden Gate Loft", "San Francisco", 0, 2, 1, 4, 180,
     ["Wifi", "Kitchen", "Heating"]),
    ("Mission Studio", "San Francisco", 1, 1, 1, 2, 120,
     ["Wifi", "Washer"]),
    ("Venice Beach House", "Los Angeles", 2, 4, 2, 8, 320,
     ["Wifi", "Pool", "Free parking"]),
    ("Gaslamp Flat", "San Diego", 3, 2, 1, 3, 140,
     ["Wifi", "Air conditioning"]),
    ("Desert Casita", "Phoenix", 4, 1, 1, 2, 90,
     ["Pool", "Air conditioning"]),
    ("Red Rock Cabin", "Sedona", 5, 2, 1, 4, 150,
     ["Hot tub", "Free parking", "Kitchen"]),
    ("Saguaro Ranch", "Tucson", 6, 5, 3, 10, 260,
     ["Pool", "Pets allowed", "Wifi"]),
    ("Mile High Condo", "Denver", 7, 2, 2, 4, 130,
     ["Wifi", "Heating", "Washer", "Dryer"]),
    ("Flatirons Bungalow", "Boulder", 8, 3, 2, 6, 170,
     ["Kitchen", "Pets allowed"]),
    ("Ocean Drive Suite", "Miami", 9, 1, 1, 2, 210,
     ["Wifi", "Pool", "Air conditioning"]),
    ("Lake Eola Apartment", "Orlando", 10, 2, 1, 4, 110,
     ["Wifi", "Cable TV"]),
    ("Waikiki Lanai", "Honolulu", 11, 2, 2, 4, 280,
     ["Wifi", "Pool", "Breakfast"]),
    ("Volcano View", "Hilo", 0, 1, 1, 2, 95,
     ["Breakfast", "Free parking"]),
    ("River North Loft", "Chicago", 1, 2, 2, 4, 160,
     ["Wifi", "Heating", "Washer", "Dryer"]),
    ("Prairie House", "Naperville", 2, 4, 3, 8, 190,
     ["Kitchen", "Free parking", "Pets allowed"]),
    ("Campus Room", "Urbana", 3, 1, 1, 1, 45,
     ["Wifi"]),
    ("French Quarter Balcony", "New Orleans", 4, 2, 1, 4, 175,
     ["Wifi", "Air conditioning", "Breakfast"]),
    ("Capitol Cottage", "Baton Rouge", 5, 3, 2, 5, 115,
     ["Kitchen", "Washer"]),
    ("Brooklyn Walk-up", "New York", 6, 1, 1, 2, 199,
     ["Wifi", "Heating"]),
    ("Elmwood Village Home", "Buffalo", 7, 3, 2, 6, 125,
     ["Heating", "Free parking", "Kitchen"]),
    ("Pearl District Studio", "Portland", 8, 1, 1, 2, 105,
     ["Wifi", "Pets allowed"]),
    ("High Desert Lodge", "Bend", 9, 4, 3, 8, 230,
     ["Hot tub", "Heating", "Free parking"]),
    ("South Congress Casita", "Austin", 10, 1, 1, 3, 135,
     ["Wifi", "Pool", "Air conditioning"]),
    ("Montrose Townhouse", "Houston", 11, 3, 2, 6, 155,
     ["Wifi", "Washer", "Dryer", "Cable TV"]),
]

REVIEWS = ["Spotless and exactly as described.",
           "Great location, quiet at night.",
           "The host answered within minutes.",
           "Would stay again.<BR />Thank you!",
           "Comfortable beds, lovely light in the morning."]


def stable_id(kind, *key):
    """The same id for the same object on every run and every host."""
    return str(uuid.uuid5(NAMESPACE, "/".join((kind,) + key)))


class Loader:
    """Creates the objects that are missing; counts what it created."""

    def __init__(self, storage):
        """A loader that writes into ``storage``."""
        self.storage = storage
        self.created = 0

    def ensure(self, cls, object_id, **attributes):
        """The stored object with this id, created first if missing."""
        obj = self.storage.get(cls, object_id)
        if obj is None:
            obj = cls(id=object_id, **attributes)
            self.storage.new(obj)
            self.created += 1
        return obj

    def run(self):
        """Create whatever is missing; returns how many objects it created."""
        cities = {}
        for state_name, city_names in STATES.items():
            state = self.ensure(State, stable_id("State", state_name),
                                name=state_name)
            for city_name in city_names:
                cities[city_name] = self.ensure(
                    City, stable_id("City", state_name, city_name),
                    name=city_name, state_id=state.id)
        amenities = {name: self.ensure(Amenity, stable_id("Amenity", name),
                                       name=name)
                     for name in AMENITIES}
        users = []
        for first, last in USERS:
            email = "{}.{}@example.com".format(first, last)
            email = email.lower().replace(" ", "")
            users.append(self.ensure(
                User, stable_id("User", email), email=email, first_name=first,
                last_name=last, password=secrets.token_urlsafe(16)))
        self.storage.save()  # parents first: the database checks foreign keys
        places = []
        for index, (name, city, owner, rooms, baths, guests, price, wanted) \
                in enumerate(PLACES):
            place_id = stable_id("Place", name)
            is_new = self.storage.get(Place, place_id) is None
            place = self.ensure(
                Place, place_id, name=name, city_id=cities[city].id,
                user_id=users[owner].id, number_rooms=rooms,
                number_bathrooms=baths, max_guest=guests, price_by_night=price,
                description="A lovely place in {}.<BR />"
                            "Hosted by {} {}.".format(city, *USERS[owner]),
                latitude=round(25 + index * 0.9, 4),
                longitude=round(-122 + index * 2.1, 4))
            if is_new:
                for amenity_name in wanted:
                    if models.storage_t == "db":
                        place.amenities.append(amenities[amenity_name])
                    else:
                        place.amenities = amenities[amenity_name]
            places.append(place)
        self.storage.save()
        for index, place in enumerate(places):
            author = users[(index + 3) % len(users)]
            self.ensure(Review, stable_id("Review", place.id, author.id),
                        place_id=place.id, user_id=author.id,
                        text=REVIEWS[index % len(REVIEWS)])
        self.storage.save()
        return self.created


def load(storage=None):
    """Load the dataset; returns how many objects were created."""
    storage = storage or models.storage
    try:
        return Loader(storage).run()
    finally:
        storage.close()


def main():
    """The command: load, then print what was created and what there is."""
    created = load()
    counts = {cls.__name__: models.storage.count(cls)
              for cls in (State, City, Amenity, User, Place, Review)}
    models.storage.close()
    print("sample data: {} objects created; now {}".format(
        created, ", ".join("{} {}".format(n, c) for c, n in counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
