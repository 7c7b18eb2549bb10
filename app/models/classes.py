"""The model classes by name: what storage engines and the API look up."""
from models.amenity import Amenity
from models.base_model import BaseModel
from models.city import City
from models.place import Place
from models.review import Review
from models.state import State
from models.user import User

CLASSES = {cls.__name__: cls for cls in
           (BaseModel, User, State, City, Amenity, Place, Review)}


def resolve(cls):
    """A class given by object or by name, or None for 'every class'."""
    if cls is None or isinstance(cls, type):
        return cls
    return CLASSES.get(cls)
